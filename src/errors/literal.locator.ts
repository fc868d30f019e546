import { BREAK, Kind, parse, visit, type ASTNode, type GraphQLError } from 'graphql';

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
 * The input path of the literal a validation error points at, below its argument, in the form resolver
 * errors name fields (`unleash.rootRole`, `providers[1]`); the argument's name when the argument itself is
 * the literal. Undefined when it is not in an argument. Parses the document again: on this error path only.
 */
export function literalField(error: GraphQLError): string | undefined {
  const node = error.nodes?.[0];
  if (!node?.loc || !LITERAL_KINDS.has(node.kind)) return undefined;
  const { kind } = node;
  const { start } = node.loc;
  let field: string | undefined;
  try {
    visit(parse(node.loc.source), {
      enter(n, _key, parent, path, ancestors) {
        if (n.kind !== kind || n.loc?.start !== start) return undefined;
        field = pathBelowArgument([...ancestors, parent as ASTNode | readonly ASTNode[], n], path);
        return BREAK;
      },
    });
  } catch {
    // A hint only: the error is answered without it rather than masked by a failure here.
    return undefined;
  }
  return field;
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
