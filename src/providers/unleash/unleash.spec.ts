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

/** Built-in root roles by name; a policy may list either form and both compare as the id. */
const ROOT_ROLES: Readonly<Record<string, number>> = { Admin: 1, Editor: 2, Viewer: 3 };

export function canonicalRootRole(role: string | number): string {
  return String(typeof role === 'string' ? (ROOT_ROLES[role] ?? role) : role);
}

export function validateUnleashOptions(_operation: Operation, options: Readonly<Record<string, unknown>>): InputProblem[] {
  const o = options as UnleashServiceAccountOptions & UnleashUserOptions;
  const c = new InputChecker();
  c.pattern('unleash.username', o.username, NAME_SLUG, NAME_SLUG_RULE);
  c.positiveInt('unleash.rootRole', o.rootRole);
  return c.problems;
}
