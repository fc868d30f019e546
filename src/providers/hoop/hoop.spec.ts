import { InputChecker, type InputProblem, type Operation } from '../../domain';

export interface HoopServiceAccountOptions {
  /** Identity-provider client subject; default: the name. Globally unique on hoop. */
  readonly subject?: string;
  readonly groups?: readonly string[];
}

export interface HoopUserOptions {
  readonly slackId?: string;
  readonly picture?: string;
  /** Local-auth password: a secret, never stored, logged or returned (hoop echoes it; docs/providers.md). */
  readonly password?: string;
}

export function validateHoopOptions(operation: Operation, options: Readonly<Record<string, unknown>>): InputProblem[] {
  const c = new InputChecker();
  if (operation === 'createServiceAccount') {
    const o = options as HoopServiceAccountOptions;
    // The subject is hoop's identity and the guard's natural key.
    c.identifier('hoop.subject', o.subject, 255);
    c.list('hoop.groups', o.groups, 50, 100);
  } else {
    const o = options as HoopUserOptions;
    c.text('hoop.slackId', o.slackId, 64);
    c.text('hoop.picture', o.picture, 2048);
    c.text('hoop.password', o.password, 1024);
  }
  return c.problems;
}
