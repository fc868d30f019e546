/**
 * The net under the locators' cuts (`variable.locator.ts`, `literal.locator.ts`): the values a client sent, in
 * every form an error message may quote them, replaced wherever a message still does.
 */

/**
 * A value's forms: as sent, trimmed (a scalar may trim before it quotes: `Value is not a valid email
 * address: …`) and JSON-escaped. Shorter than 4 characters, left alone: it would mangle the message's words.
 */
export function addQuotedForms(found: Set<string>, text: string): void {
  for (const t of new Set([text, text.trim()])) if (t.length >= 4) found.add(t).add(JSON.stringify(t).slice(1, -1));
}

/** Longest first: a value is replaced before a shorter one inside it could split it. */
export function longestFirst(found: ReadonlySet<string>): string[] {
  return [...found].sort((a, b) => b.length - a.length);
}

export function withoutLeaves(text: string, leaves: readonly string[]): string {
  let out = text;
  for (const leaf of leaves) if (out.includes(leaf)) out = out.split(leaf).join('<redacted>');
  return out;
}
