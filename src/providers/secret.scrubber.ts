import { REDACTED } from '../domain';

/**
 * Scrubbing what a provider quotes back of a call's secrets from its error message: the message is shown to
 * the client and kept in the idempotency record (docs/security.md). The forms a provider most often quotes
 * are replaced in place; a secret still found in a decoded view of the rest withholds the whole message.
 */

/** What `scrub` looks for: the forms it replaces, and the values it looks for in any decoded view of a message. */
export interface CallSecrets {
  /** As sent, URL-encoded and JSON-escaped, of 4 characters or more, longest first: replaced where found. */
  readonly forms: readonly string[];
  /** Every secret value of 3 characters or more, lower-cased as sent and as `readable` reads it: looked for in every decoded view of what is left. */
  readonly values: readonly string[];
  /** `values` without their whitespace (4 characters or more), looked for in the message read without its own. */
  readonly compact: readonly string[];
  /** Base64 (both alphabets, unpadded; from 12 bytes also at the two other offsets) and hex of each value of 6 characters or more. */
  readonly encoded: readonly string[];
  /**
   * Every run of half a value's length (at least FRAGMENT_MIN characters) of each longer value, as `values`
   * holds it: a provider that quotes a secret cut short (`"CorrectHorseBatterySta..." is too common`), or
   * broken by a line, still gives most of it away.
   */
  readonly fragments: readonly string[];
}

/** Shorter runs are too likely to be a word of the message ("password1" in a password): only whole values are looked for. */
const FRAGMENT_MIN = 10;

/** A secret as a provider may quote it: as sent, URL-encoded (a form or query it echoes), JSON-escaped (a body it echoes). */
export function quotedForms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
}

/** How `scrub` looks for the secret values of one call (its token, with and without its scheme, and secret body fields). */
export function callSecrets(found: readonly string[]): CallSecrets {
  const values = [...new Set(found.filter((s) => s.length > 0))];
  const forms = values.flatMap(quotedForms);
  // Encodings of shorter values are too likely to turn up in an id or a number by chance.
  const encoded = values
    .filter((s) => s.length >= 6)
    .flatMap((s) => {
      const bytes = Buffer.from(s, 'utf8');
      const aligned = [bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url'), bytes.toString('hex')];
      if (bytes.length < 12) return aligned;
      // Inside a longer base64 text (`user:token`) the value starts 1 or 2 bytes into a 3-byte group: the
      // characters that encode only its own bytes, without the first and last group's.
      const shifted = [1, 2].map((k) =>
        Buffer.concat([Buffer.alloc(k), bytes])
          .toString('base64')
          .slice(4, -4),
      );
      return [...aligned, ...shifted, ...shifted.map((b) => b.replace(/\+/g, '-').replace(/\//g, '_'))];
    });
  // As the decoded views read them: look-alikes folded (NFKC), invisible characters dropped, lower-cased.
  const readableValues = [...new Set(values.flatMap((s) => [s.toLowerCase(), readable(s)]))].filter((s) => s.length >= 3);
  // Without their whitespace, as the message is also read: a quoted passphrase may be wrapped or its spaces widened.
  const compact = [...new Set(readableValues.map((s) => s.replace(/\s+/g, '')))].filter((s) => s.length >= 4);
  const fragments = [...readableValues, ...compact].flatMap((s) => {
    const run = Math.max(FRAGMENT_MIN, Math.ceil(s.length / 2));
    return s.length <= run ? [] : Array.from({ length: s.length - run + 1 }, (_, i) => s.slice(i, i + run));
  });
  return {
    // Very short values would blank out ordinary words: they are only looked for, as whole words, below.
    forms: [...new Set(forms)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length),
    values: readableValues,
    compact,
    encoded: [...new Set(encoded)],
    fragments: [...new Set(fragments)],
  };
}

/** What a message becomes when a secret is still in it after the replacements, in a form they do not undo. */
const WITHHELD_MESSAGE = "the provider's message was withheld: it quoted a secret sent with this request";

/**
 * Case-insensitive: a provider that upper-cases what it quotes (an error code built from the input) quotes
 * it all the same. The forms a provider most often quotes are replaced in place; a secret still found in
 * any decoded view of the rest (HTML entities, percent- or doubly percent-encoded, `\uXXXX` escapes,
 * look-alike or invisible characters, base64, hex, or a short password as a word) withholds the message.
 */
export function scrub(message: string, secrets: CallSecrets): string {
  let out = message;
  const lower = message.toLowerCase();
  for (const s of secrets.forms) {
    if (lower.includes(s.toLowerCase())) out = out.replace(new RegExp(escapeRegExp(s), 'giu'), REDACTED);
  }
  // The markers are the gateway's own words: a secret that contains "redacted" must not be found in them.
  return quotesSecret(out.split(REDACTED).join(' '), secrets) ? WITHHELD_MESSAGE : out;
}

function quotesSecret(message: string, secrets: CallSecrets): boolean {
  const lower = message.toLowerCase();
  // Base64 is matched as it is; hex (lower-case here) in either case.
  if (secrets.encoded.some((e) => message.includes(e) || lower.includes(e))) return true;
  const views = decodedViews(message);
  // A provider may wrap what it quotes, or widen its spaces: read without whitespace too, against values read so.
  const unwrapped = [...new Set(views.map((v) => v.replace(/\s+/g, '')))];
  return (
    secrets.values.some((s) =>
      s.length >= 4 ? views.some((v) => v.includes(s)) : views.some((v) => new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(s)}($|[^\\p{L}\\p{N}])`, 'u').test(v)),
    ) ||
    secrets.compact.some((c) => unwrapped.some((v) => v.includes(c))) ||
    secrets.fragments.some((f) => views.some((v) => v.includes(f)) || unwrapped.some((v) => v.includes(f)))
  );
}

/** The message as a reader would see it after each decoding a provider (or a proxy) may have applied, lower-cased. */
function decodedViews(message: string): string[] {
  const html = decodeEntities(message);
  const once = percentDecode(html);
  const twice = percentDecode(once);
  const escapes = unescapeCodes(twice);
  // A form body writes a space as +, before percent-encoding the rest.
  const form = percentDecode(html.replace(/\+/g, ' '));
  // Folded after decoding: an entity or escape may stand for a look-alike or an invisible character.
  return [...new Set([message, html, once, twice, escapes, form].map(readable))];
}

/** NFKC (fullwidth and other look-alike forms folded) without invisible characters (zero-width, soft hyphen, joiners, variation selectors), lower-cased. */
function readable(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/\p{Default_Ignorable_Code_Point}/gu, '')
    .toLowerCase();
}

function decodeEntities(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", sol: '/', plus: '+', equals: '=', num: '#', percnt: '%' };
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return named[e.toLowerCase()] ?? m;
  });
}

function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/%(?![0-9a-f]{2})/gi, '%25'));
  } catch {
    // Not UTF-8 throughout: byte by byte, which is enough for the ASCII of tokens and most passwords.
    return s.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

function unescapeCodes(s: string): string {
  return s.replace(/\\u\{?([0-9a-f]{4,6})\}?|\\x([0-9a-f]{2})/gi, (m, u: string | undefined, x: string | undefined) => {
    const code = parseInt(u ?? x ?? '', 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
