import type { InputProblem } from './identity.spec';

/**
 * Text rules shared by the identity service and the provider modules: a name
 * valid on every provider, lengths below every provider's limits (Unleash
 * turns a name over 255 characters into a 500 with SQL in it: see
 * docs/providers.md), no control or bidirectional formatting characters.
 */
export const NAME_SLUG = /^[a-z][a-z0-9._-]{0,62}$/;
export const NAME_SLUG_RULE = `must match ${NAME_SLUG.source} (lower-case letter first; letters, digits, . _ -)`;
// C0 and C1 controls, line/paragraph separators and the bidirectional formatting characters
// (a right-to-left override makes `admin\u202egnp.exe` read as `adminexe.png`).
// Unicode tag characters (U+E0000–E007F) are invisible text smuggled beside visible text: refused too.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\u{e0000}-\u{e007f}]/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/**
 * Characters that render as nothing: a value made only of these (and spaces) is blank. Fillers and
 * blanks (Hangul fillers, braille blank, variation selectors), and combining marks, which have
 * nothing to combine with when they are all there is.
 */
// eslint-disable-next-line no-misleading-character-class -- the combining marks and selectors are listed on their own on purpose
const INVISIBLE = /[\s\u00ad\u0300-\u036f\u034f\u115f\u1160\u180e\u200b-\u200d\u2060\u2800\u3164\ufe00-\ufe0f\uffa0\ufeff]/g;

/** Collects every problem of an input, not only the first. */
export class InputChecker {
  readonly problems: InputProblem[] = [];

  text(field: string, value: string | undefined, max: number, min = 1): void {
    if (value === undefined) return;
    if (value.length < min) this.problems.push({ field, message: min === 1 ? 'must not be empty' : `must be at least ${min} characters` });
    else if (value.length > max) this.problems.push({ field, message: `must be at most ${max} characters` });
    else if (UNSAFE.test(value)) this.problems.push({ field, message: 'must not contain control or bidirectional formatting characters' });
    else if (LONE_SURROGATE.test(value)) this.problems.push({ field, message: 'must be well-formed Unicode (no lone surrogates)' });
    else if (value.length > 0 && value.replace(INVISIBLE, '') === '') this.problems.push({ field, message: 'must not be blank' });
  }

  /**
   * Text that names an identity (and is its natural key): no invisible character anywhere in it either, or
   * `root\u200b-admin` would be a second account that reads as `root-admin` and passes its guard.
   */
  identifier(field: string, value: string | undefined, max: number): void {
    const before = this.problems.length;
    this.text(field, value, max);
    if (value !== undefined && this.problems.length === before && /\p{Default_Ignorable_Code_Point}/u.test(value))
      this.problems.push({ field, message: 'must not contain invisible characters (zero-width, soft hyphen, joiners, variation selectors)' });
  }

  list(field: string, values: readonly string[] | undefined, maxItems: number, maxLength: number, nonEmpty = false): void {
    if (values === undefined) return;
    if (nonEmpty && values.length === 0) this.problems.push({ field, message: 'must not be empty' });
    if (values.length > maxItems) {
      // The items of an oversize list are not looked at: 260k bad items must not become 260k problems.
      this.problems.push({ field, message: `must have at most ${maxItems} items` });
      return;
    }
    // A list reports its first bad item only; one problem per field is enough to fix it.
    const before = this.problems.length;
    for (let i = 0; i < values.length && this.problems.length === before; i++) this.text(`${field}[${i}]`, values[i], maxLength);
    // A repeated group, role or permission means nothing more to a provider and says the client's list is not
    // what it thinks: refused rather than sent as given or silently merged, as a repeated provider id is.
    if (this.problems.length === before && new Set(values).size < values.length) this.problems.push({ field, message: 'must not name the same value twice' });
  }

  positiveInt(field: string, value: number | undefined): void {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) this.problems.push({ field, message: 'must be a positive integer' });
  }

  pattern(field: string, value: string | undefined, re: RegExp, message: string): void {
    if (value !== undefined && !re.test(value)) this.problems.push({ field, message });
  }
}
