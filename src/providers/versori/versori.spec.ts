import { InputChecker, type InputProblem, type Operation } from '../../domain';

export interface VersoriServiceAccountOptions {
  /** Default: the provider's organisationId. */
  readonly organisationId?: string;
  readonly roles?: readonly string[];
  readonly groupIds?: readonly string[];
}

export function validateVersoriOptions(_operation: Operation, options: Readonly<Record<string, unknown>>): InputProblem[] {
  const o = options as VersoriServiceAccountOptions;
  const c = new InputChecker();
  c.text('versori.organisationId', o.organisationId, 128);
  c.list('versori.roles', o.roles, 50, 100);
  c.list('versori.groupIds', o.groupIds, 50, 100);
  return c.problems;
}
