import { GraphQLError, isNonNullType, Kind, TypeInfo, ValidationContext, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { ErrorCode } from '../errors/error-code.enum';

/**
 * Refuses, before anything runs, a variable sent as `null` that the operation uses where a value is required
 * (called by variable-shape.plugin.ts, before execution).
 *
 * graphql-js 16 lets a nullable variable with a default fill a non-null position (`$s: Boolean = false` in
 * `@skip(if: $s)`) and only objects to an explicit `null` when it reaches that position during execution. Inside
 * a create's selection that is after the resolver ran: the accounts were created, then the error nulled the
 * whole answer (every type down to `credentials` is non-null) and their one-time secrets were lost.
 * graphql-js 17, following the current spec draft, refuses such a null when it coerces the variables; so does
 * this check. Only requests that send such a null pay for the walk.
 */
export function refuseNullWhereRequired(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): void {
  const suspects = new Set<string>();
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (def.type.kind !== Kind.NON_NULL_TYPE && def.defaultValue && Object.hasOwn(variables, name) && variables[name] === null) suspects.add(name);
  }
  if (suspects.size === 0) return;
  const context = new ValidationContext(schema, document, new TypeInfo(schema), () => undefined);
  const usage = context.getRecursiveVariableUsages(operation).find((u) => isNonNullType(u.type) && suspects.has(u.node.name.value));
  if (!usage) return;
  const name = usage.node.name.value.slice(0, 64);
  throw new GraphQLError(
    `Variable "$${name}" is null where a value is required (${String(usage.type)}); send a value, or leave it out to use its default. Nothing was run.`,
    { extensions: { code: ErrorCode.BAD_USER_INPUT, field: name, http: { status: 400 } } },
  );
}
