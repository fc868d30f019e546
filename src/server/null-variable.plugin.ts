import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, isNonNullType, Kind, TypeInfo, ValidationContext } from 'graphql';
import { ErrorCode } from '../errors/error-code.enum';

/**
 * Refuses, before anything runs, a variable sent as `null` that the operation uses where a value is required.
 *
 * graphql-js 16 lets a nullable variable with a default fill a non-null position (`$s: Boolean = false` in
 * `@skip(if: $s)`) and only objects to an explicit `null` when it reaches that position during execution. Inside
 * a create's selection that is after the resolver ran: the accounts were created, then the error nulled the
 * whole answer (every type down to `credentials` is non-null) and their one-time secrets were lost.
 * graphql-js 17, following the current spec draft, refuses such a null when it coerces the variables; so does
 * this plugin. Only requests that send such a null pay for the walk.
 */
export function nullVariablePlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, schema, document }) {
          const variables = request.variables;
          if (!operation || !variables) return;
          const suspects = new Set<string>();
          for (const def of operation.variableDefinitions ?? []) {
            const name = def.variable.name.value;
            if (def.type.kind !== Kind.NON_NULL_TYPE && def.defaultValue && Object.hasOwn(variables, name) && variables[name] === null) suspects.add(name);
          }
          if (suspects.size === 0) return;
          const context = new ValidationContext(schema, document, new TypeInfo(schema), () => undefined);
          const usage = context.getRecursiveVariableUsages(operation).find((u) => isNonNullType(u.type) && suspects.has(u.node.name.value));
          if (!usage) return;
          const name = usage.node.name.value;
          throw new GraphQLError(
            `Variable "$${name.slice(0, 64)}" is null where a value is required (${String(usage.type)}); send a value, or leave it out to use its default. Nothing was run.`,
            { extensions: { code: ErrorCode.BAD_USER_INPUT, field: name.slice(0, 64), http: { status: 400 } } },
          );
        },
      };
    },
  };
}
