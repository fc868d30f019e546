import { Kind, parse, visit, type ASTNode, type GraphQLError, type Source } from 'graphql';

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
