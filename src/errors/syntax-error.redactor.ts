/**
 * graphql-js's syntax errors quote the token they stopped at, and a string token is the whole string
 * (`Expected ":", found String "<a password>".`), an escape error part of one (`Invalid Unicode escape
 * sequence: "\uZZSE".`). A mistyped create may hold a password or a client secret written inline: the
 * message names the kind of token and leaves its value out; the error's location still says where.
 * Names (field, argument and enum names) stay quoted: they are the query's words, not its values.
 */
const TOKEN_VALUE = /(found|Unexpected) (String|BlockString|Int|Float) "[\s\S]*"\.$/;
const ESCAPE = /^(Syntax Error: Invalid (?:Unicode|character) escape sequence): "[\s\S]*"\.$/;

export function withoutTokenValue(message: string): string {
  return message
    .replace(TOKEN_VALUE, (_m, verb: string, kind: string) => `${verb} ${kind} (its value is not shown).`)
    .replace(ESCAPE, '$1 in a string (not shown).');
}
