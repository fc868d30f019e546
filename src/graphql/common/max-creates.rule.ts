import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/**
 * Every root mutation field creates identities upstream. Each is answered on
 * its own, but one document with many of them multiplies upstream writes
 * (1,000 aliases made 4,000 creates) and puts several sets of one-time
 * credentials at the mercy of one response. Counted before execution,
 * aliases and fragments included, so the whole request is refused with
 * nothing sent anywhere.
 */
export function maxCreatesRule(max: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const count = createFieldCount(node, context.getDocument(), context.getSchema());
      if (count > max) {
        context.reportError(
          new GraphQLError(
            `This mutation has ${count} create fields; at most ${max} per request (server.maxCreatesPerOperation). Send each create in its own request.`,
            { nodes: [node], extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: max, count } },
          ),
        );
      }
    },
  });
}

/**
 * The create fields an operation selects: the schema's mutation fields, aliases and fragments counted (each
 * fragment once), 0 for a query. A field the schema has not is graphql's own error (FieldsOnCorrectType), not a create.
 */
export function createFieldCount(op: OperationDefinitionNode, document: DocumentNode, schema: GraphQLSchema): number {
  if (op.operation !== 'mutation') return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const fields = schema.getMutationType()?.getFields() ?? {};
  return countRootFields(op.selectionSet, fragments, new Set(), (name) => Object.hasOwn(fields, name));
}

function countRootFields(
  set: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  seen: Set<string>,
  isCreate: (field: string) => boolean,
): number {
  let n = 0;
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) n += isCreate(s.name.value) ? 1 : 0;
    else if (s.kind === Kind.INLINE_FRAGMENT) n += countRootFields(s.selectionSet, fragments, seen, isCreate);
    else {
      const f = fragments.get(s.name.value);
      // A cycle is reported by graphql's own NoFragmentCycles rule; count each spread once here.
      if (f && !seen.has(f.name.value)) {
        seen.add(f.name.value);
        n += countRootFields(f.selectionSet, fragments, seen, isCreate);
      }
    }
  }
  return n;
}
