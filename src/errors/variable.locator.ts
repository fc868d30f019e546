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
