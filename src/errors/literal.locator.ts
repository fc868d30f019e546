import { Kind, parse, print, visit, type ASTNode, type GraphQLError, type Source, type ValueNode } from 'graphql';
import { addQuotedForms, longestFirst, withoutLeaves } from './quoted-values.redactor';

/** Where a literal in the query can be wrong: a value, or an input field (unknown, or missing from an object). */
const LITERAL_KINDS: ReadonlySet<string> = new Set([
  Kind.INT,
  Kind.FLOAT,
  Kind.STRING,
  Kind.BOOLEAN,
  Kind.NULL,
  Kind.ENUM,
  Kind.LIST,
  Kind.OBJECT,
  Kind.OBJECT_FIELD,
]);

/**
 * Whether a validation error was reported on a literal written in the query (a value its scalar or enum
 * refuses, an unknown or missing input field): bad input, as the same value sent as a variable is.
 */
export function isLiteralError(error: GraphQLError): boolean {
  const node = error.nodes?.[0];
  return node !== undefined && LITERAL_KINDS.has(node.kind);
}

/**
 * Every literal's input path in one document, by `kind:start`: the document is parsed and walked once,
 * however many of its literals are wrong (graphql-js reports up to 100 errors per request).
 */
const pathsBySource = new WeakMap<Source, ReadonlyMap<string, string | undefined>>();

function literalPaths(source: Source): ReadonlyMap<string, string | undefined> {
  let paths = pathsBySource.get(source);
  if (paths) return paths;
  const found = new Map<string, string | undefined>();
  try {
    visit(parse(source), {
      enter(n, _key, parent, path, ancestors) {
        if (LITERAL_KINDS.has(n.kind) && n.loc) {
          found.set(`${n.kind}:${n.loc.start}`, pathBelowArgument([...ancestors, parent as ASTNode | readonly ASTNode[], n], path));
        }
        return undefined;
      },
    });
  } catch {
    // A hint only: the errors are answered without it rather than masked by a failure here.
  }
  paths = found;
  pathsBySource.set(source, paths);
  return paths;
}

/**
 * The input path of the literal a validation error points at, below its argument, in the form resolver
 * errors name fields (`unleash.rootRole`, `providers[1]`); the argument's name when the argument itself is
 * the literal. Undefined when it is not in an argument. On this error path only, and once per document.
 */
export function literalField(error: GraphQLError): string | undefined {
  const node = error.nodes?.[0];
  if (!node?.loc || !LITERAL_KINDS.has(node.kind)) return undefined;
  return literalPaths(node.loc.source).get(`${node.kind}:${node.loc.start}`);
}

/** `chain[i][path[i]]` is `chain[i + 1]`: nodes and the arrays between them, from the document down. */
function pathBelowArgument(chain: ReadonlyArray<ASTNode | readonly ASTNode[]>, path: ReadonlyArray<string | number>): string | undefined {
  let argument: string | undefined;
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const child = chain[i + 1] as ASTNode | readonly ASTNode[];
    const parent = chain[i - 1];
    if (!Array.isArray(child) && (child as ASTNode).kind === Kind.ARGUMENT) {
      argument = (child as { name: { value: string } }).name.value;
      out = '';
    } else if (argument !== undefined && !Array.isArray(child) && (child as ASTNode).kind === Kind.OBJECT_FIELD) {
      const name = (child as { name: { value: string } }).name.value;
      out = out ? `${out}.${name}` : name;
    } else if (argument !== undefined && Array.isArray(chain[i]) && parent && !Array.isArray(parent) && (parent as ASTNode).kind === Kind.LIST) {
      out = `${out}[${path[i]}]`;
    }
  }
  if (argument === undefined) return undefined;
  return out && !out.startsWith('[') ? out : `${argument}${out}`;
}

/**
 * A literal error's message without the value written in the query, as a variable error loses its value
 * (variable.locator.ts): `hoop: {password: 987654321}` came back as `String cannot represent a non string
 * value: 987654321`. The value graphql-js prints is cut where a message ends with it (`…: <value>`) or
 * names it (`…, found <value>`); every string, number or enum name of 4 characters or more inside the literal
 * that the message still quotes (a custom scalar's or an enum's reason) becomes `<redacted>`.
 */
export function withoutLiteralValue(message: string, error: GraphQLError): string {
  const node = error.nodes?.[0];
  if (!node || !LITERAL_KINDS.has(node.kind)) return message;
  const value = (node.kind === Kind.OBJECT_FIELD ? node.value : node) as ValueNode;
  const printed = print(value);
  let out = message;
  if (out.endsWith(`: ${printed}`)) out = `${out.slice(0, -printed.length - 2)}.`;
  else if (out.endsWith(`: ${printed}.`)) out = `${out.slice(0, -printed.length - 3)}.`;
  out = out.split(`, found ${printed}`).join('');
  return withoutLeaves(out, literalLeaves(value));
}

/** The scalar values inside a literal (not its field names: an unknown field's error is about its name), longest first. */
function literalLeaves(node: ValueNode): string[] {
  const found = new Set<string>();
  const walk = (n: ValueNode): void => {
    if (n.kind === Kind.STRING || n.kind === Kind.INT || n.kind === Kind.FLOAT || n.kind === Kind.ENUM) {
      addQuotedForms(found, n.value);
    } else if (n.kind === Kind.LIST) n.values.forEach(walk);
    else if (n.kind === Kind.OBJECT) n.fields.forEach((f) => walk(f.value));
  };
  walk(node);
  return longestFirst(found);
}
