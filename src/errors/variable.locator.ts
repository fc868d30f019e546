import { addQuotedForms, longestFirst, withoutLeaves } from './quoted-values.redactor';

/**
 * The input path, below the variable, that a graphql-js variable error names (`Variable "$input" got invalid
 * value … at "input.hoop.password"; …` → `hoop.password`): the form resolver and literal errors give
 * `extensions.field` in. Undefined when the message names no path (the variable itself is missing or null).
 * The quoted value comes before the path and escapes its own quotes, so it cannot fake one.
 */
export function variableField(message: string): string | undefined {
  const m = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)" got invalid value [\s\S]*? at "([^"]+)"; /.exec(message);
  if (!m) return undefined;
  return belowVariable(m[1], m[2]);
}

/** `input.hoop.colour` → `hoop.colour`, `ids[1]` → `[1]`; the variable's own name when the path is only that. */
export function belowVariable(variable: string, path: string): string {
  if (!path.startsWith(variable)) return path;
  const rest = path.slice(variable.length);
  return rest.startsWith('.') ? rest.slice(1) : rest || variable;
}

const VALUE_PREFIX = /^(Variable "\$[_A-Za-z][_0-9A-Za-z]*" got invalid value )/;

/**
 * A graphql-js variable error without the value it quotes: `Variable "$i" got invalid value { hoop: { password:
 * "…" }, name: "x" }; Field "email" … was not provided.` carried the client's password back in the answer. The
 * path (`extensions.field`) says where the problem is; the value is the client's own and may be secret. The
 * scalar's reason (`String cannot represent a non string value: 12345`) quotes it again, and loses it too.
 * The value is graphql-js's `inspect`: strings JSON-quoted, objects and lists bracketed, so it ends at the
 * first ` at "` or `; ` outside strings and brackets. A message of another shape is returned unchanged.
 */
export function withoutVariableValue(message: string): string {
  const head = VALUE_PREFIX.exec(message)?.[1];
  // No head, or a message already without its value (variable-shape.plugin.ts words unknown fields so).
  if (!head || message.startsWith('at "', head.length)) return message;
  const end = valueEnd(message, head.length);
  if (end === undefined) return message;
  const value = message.slice(head.length, end);
  let rest = message.slice(end);
  const reason = rest.indexOf('; ');
  if (reason >= 0) {
    const inner = rest.slice(reason + 2);
    const quoted = inner.endsWith(`: ${value}`) ? inner.length - value.length - 2 : inner.endsWith(`: ${value}.`) ? inner.length - value.length - 3 : -1;
    if (quoted >= 0) rest = `${rest.slice(0, reason + 2)}${inner.slice(0, quoted)}.`;
  }
  return `${head.trimEnd()}${rest}`;
}

function valueEnd(message: string, from: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = from; i < message.length; i++) {
    const c = message[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (depth === 0 && (message.startsWith(' at "', i) || message.startsWith('; ', i))) return i;
  }
  return undefined;
}

/** More leaves than this and a variable error's message is replaced by a plain one rather than searched. */
const MAX_LEAVES = 2_000;

/**
 * The net under `withoutVariableValue`: every string and number of 4 characters or more the request's
 * variables hold, replaced wherever a variable error's message still quotes it. A scalar's own reason may
 * quote the value raw (`Value is not a valid email address: …`), and an object key can imitate the
 * structure `withoutVariableValue` reads. Undefined when the variables are too large to search: the caller
 * then says only which variable was invalid.
 */
export function variableLeaves(variables: unknown): string[] | undefined {
  const found = new Set<string>();
  const walk = (v: unknown, depth: number): boolean => {
    if (found.size > MAX_LEAVES || depth > 32) return false;
    if (typeof v === 'string' || typeof v === 'number') {
      addQuotedForms(found, String(v));
      return true;
    }
    if (Array.isArray(v)) return v.every((x) => walk(x, depth + 1));
    // Keys are not searched: an unknown field's name is what its error is about (variable-shape.plugin.ts).
    if (v && typeof v === 'object') return Object.values(v).every((x) => walk(x, depth + 1));
    return true;
  };
  if (!walk(variables, 0) || found.size > MAX_LEAVES) return undefined;
  return longestFirst(found);
}

/** A variable error's message with every leaf of the request's variables it quotes replaced (see variableLeaves). */
export function withoutVariableLeaves(message: string, leaves: readonly string[] | undefined): string {
  if (!leaves) return VARIABLE_NAME.exec(message)?.[0].concat(' got an invalid value.') ?? message;
  // The path (` at "input.hoop.password"; `) is made of field names and indices, not values: kept as it is,
  // though a value may spell one of its names ("hoop" in providers).
  const path = / at "[^"]*"; /.exec(message);
  const parts = path ? [message.slice(0, path.index), path[0], message.slice(path.index + path[0].length)] : [message];
  return parts.map((part, i) => (i === 1 ? part : withoutLeaves(part, leaves))).join('');
}

const VARIABLE_NAME = /^Variable "\$[_A-Za-z][_0-9A-Za-z]*"/;
