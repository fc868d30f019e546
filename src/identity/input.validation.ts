import isEmail from 'validator/lib/isEmail';
import type { InputProblem, ServiceAccountSpec, UserSpec } from '../providers/identity.types';

/**
 * Rules that hold whatever the target: a name valid on every provider,
 * lengths below every provider's limits (Unleash turns a name over 255
 * characters into a 500 with SQL in it), no control characters.
 */
export const NAME_SLUG = /^[a-z][a-z0-9._-]{0,62}$/;
// C0 and C1 controls, line/paragraph separators and the bidirectional formatting characters
// (a right-to-left override makes `admin\u202egnp.exe` read as `adminexe.png`).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Characters that render as nothing: a value made only of these (and spaces) is blank. */
const INVISIBLE = /[\s\u00ad\u034f\u180e\u200b-\u200d\u2060\ufeff]/g;

class Checker {
  readonly problems: InputProblem[] = [];

  text(field: string, value: string | undefined, max: number, min = 1): void {
    if (value === undefined) return;
    if (value.length < min) this.problems.push({ field, message: min === 1 ? 'must not be empty' : `must be at least ${min} characters` });
    else if (value.length > max) this.problems.push({ field, message: `must be at most ${max} characters` });
    else if (UNSAFE.test(value)) this.problems.push({ field, message: 'must not contain control or bidirectional formatting characters' });
    else if (LONE_SURROGATE.test(value)) this.problems.push({ field, message: 'must be well-formed Unicode (no lone surrogates)' });
    else if (value.length > 0 && value.replace(INVISIBLE, '') === '') this.problems.push({ field, message: 'must not be blank' });
  }

  list(field: string, values: readonly string[] | undefined, maxItems: number, maxLength: number, nonEmpty = false): void {
    if (values === undefined) return;
    if (nonEmpty && values.length === 0) this.problems.push({ field, message: 'must not be empty' });
    if (values.length > maxItems) this.problems.push({ field, message: `must have at most ${maxItems} items` });
    values.forEach((v, i) => this.text(`${field}[${i}]`, v, maxLength));
  }

  positiveInt(field: string, value: number | undefined): void {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) this.problems.push({ field, message: 'must be a positive integer' });
  }

  pattern(field: string, value: string | undefined, re: RegExp, message: string): void {
    if (value !== undefined && !re.test(value)) this.problems.push({ field, message });
  }
}

export function validateServiceAccount(spec: ServiceAccountSpec): InputProblem[] {
  const c = new Checker();
  c.pattern('name', spec.name, NAME_SLUG, 'must match ^[a-z][a-z0-9._-]{0,62}$ (lower-case letter first; letters, digits, . _ -)');
  c.text('displayName', spec.displayName, 200);
  c.text('description', spec.description, 1000, 0);
  c.text('hoop.subject', spec.hoop?.subject, 255);
  c.list('hoop.groups', spec.hoop?.groups, 50, 100);
  c.pattern('unleash.username', spec.unleash?.username, NAME_SLUG, 'must match ^[a-z][a-z0-9._-]{0,62}$');
  c.positiveInt('unleash.rootRole', spec.unleash?.rootRole);
  c.text('versori.organisationId', spec.versori?.organisationId, 128);
  c.list('versori.roles', spec.versori?.roles, 50, 100);
  c.list('versori.groupIds', spec.versori?.groupIds, 50, 100);
  c.list('generic.permissions', spec.generic?.permissions, 100, 200, true);
  return c.problems;
}

export function validateUser(spec: UserSpec): InputProblem[] {
  const c = new Checker();
  // validator's rules (RFC 5321 lengths, no leading, trailing or doubled dots in the local part, a real TLD).
  if (spec.email.length > 254 || !isEmail(spec.email, { allow_utf8_local_part: false, allow_ip_domain: false })) {
    c.problems.push({ field: 'email', message: 'must be a valid e-mail address' });
  }
  c.text('name', spec.name, 200);
  c.list('groups', spec.groups, 50, 100);
  c.text('hoop.slackId', spec.hoop?.slackId, 64);
  c.text('hoop.picture', spec.hoop?.picture, 2048);
  c.text('hoop.password', spec.hoop?.password, 1024);
  c.pattern('unleash.username', spec.unleash?.username, NAME_SLUG, 'must match ^[a-z][a-z0-9._-]{0,62}$');
  c.positiveInt('unleash.rootRole', spec.unleash?.rootRole);
  return c.problems;
}

/** Idempotency keys: 1–255 printable ASCII (as Stripe). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;
