import { InputChecker, type InputProblem, type Operation } from '../../domain';

export interface GenericServiceAccountOptions {
  /** Default: the provider's permissions. Never empty. */
  readonly permissions?: readonly string[];
}

export function validateGenericOptions(_operation: Operation, options: Readonly<Record<string, unknown>>): InputProblem[] {
  const o = options as GenericServiceAccountOptions;
  const c = new InputChecker();
  c.list('generic.permissions', o.permissions, 100, 200, true);
  return c.problems;
}
