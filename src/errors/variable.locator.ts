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
