import { isNonNullType, Kind, TypeInfo, ValidationContext, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

/**
 * A variable sent as `null` that the operation uses where a value is required, and the type required there:
 * variable-shape.plugin.ts refuses the request with it, before anything runs.
 *
 * graphql-js 16 lets a nullable variable with a default fill a non-null position (`$s: Boolean = false` in
 * `@skip(if: $s)`) and only objects to an explicit `null` when it reaches that position during execution. Inside
 * a create's selection that is after the resolver ran: the accounts were created, then the error nulled the
 * whole answer (every type down to `credentials` is non-null) and their one-time secrets were lost.
 * graphql-js 17, following the current spec draft, refuses such a null when it coerces the variables; so does
 * this check. Only requests that send such a null pay for the walk.
 */
export function nullWhereRequired(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): { readonly variable: string; readonly type: string } | undefined {
  const suspects = new Set<string>();
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (def.type.kind !== Kind.NON_NULL_TYPE && def.defaultValue && Object.hasOwn(variables, name) && variables[name] === null) suspects.add(name);
  }
  if (suspects.size === 0) return undefined;
  const context = new ValidationContext(schema, document, new TypeInfo(schema), () => undefined);
  const usage = context.getRecursiveVariableUsages(operation).find((u) => isNonNullType(u.type) && suspects.has(u.node.name.value));
  return usage && { variable: usage.node.name.value, type: String(usage.type) };
}
