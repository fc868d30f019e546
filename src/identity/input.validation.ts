import isEmail from 'validator/lib/isEmail';
import { InputChecker, NAME_SLUG, NAME_SLUG_RULE, type InputProblem, type ServiceAccountSpec, type UserSpec } from '../domain';

/** The fields every target shares; each provider module validates its own options (docs/providers.md). */
export function validateServiceAccount(spec: ServiceAccountSpec): InputProblem[] {
  const c = new InputChecker();
  c.pattern('name', spec.name, NAME_SLUG, NAME_SLUG_RULE);
  c.text('displayName', spec.displayName, 200);
  c.text('description', spec.description, 1000, 0);
  return c.problems;
}

export function validateUser(spec: UserSpec): InputProblem[] {
  const c = new InputChecker();
  // validator's rules (RFC 5321 lengths, no leading, trailing or doubled dots in the local part, a real TLD).
  if (spec.email.length > 254 || !isEmail(spec.email, { allow_utf8_local_part: false, allow_ip_domain: false })) {
    c.problems.push({ field: 'email', message: 'must be a valid e-mail address' });
  }
  c.text('name', spec.name, 200);
  c.list('groups', spec.groups, 50, 100);
  return c.problems;
}

/** Idempotency keys: 1–255 printable ASCII (as Stripe). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;
