import { InputChecker, NAME_SLUG, NAME_SLUG_RULE, type InputProblem, type Operation } from '../../domain';

export interface UnleashServiceAccountOptions {
  /** Default: the name. */
  readonly username?: string;
  /** Root role id (1 Admin, 2 Editor, 3 Viewer); default: the provider's rootRole. */
  readonly rootRole?: number;
}

export interface UnleashUserOptions {
  readonly username?: string;
  readonly rootRole?: number;
  /** Let Unleash e-mail the invitation; default false. */
  readonly sendEmail?: boolean;
}

export function validateUnleashOptions(_operation: Operation, options: Readonly<Record<string, unknown>>): InputProblem[] {
  const o = options as UnleashServiceAccountOptions & UnleashUserOptions;
  const c = new InputChecker();
  c.pattern('unleash.username', o.username, NAME_SLUG, NAME_SLUG_RULE);
  c.positiveInt('unleash.rootRole', o.rootRole);
  return c.problems;
}
