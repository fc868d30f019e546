import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  GraphQLError,
  getNullableType,
  isInputObjectType,
  isListType,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ErrorCode } from '../errors/error-code.enum';
import { belowVariable } from '../errors/variable.locator';
import { nullWhereRequired } from './null-variable.check';

/** Unknown fields named in the one error; the rest are counted. */
const NAMES_SHOWN = 5;
/** Field and variable names are the client's text: shown cut to this length. */
const NAME_CHARS = 64;

interface Unknown {
  readonly variable: string;
  readonly path: string;
  readonly field: string;
  readonly type: string;
}

/**
 * Checks the variables against the operation before graphql-js coerces them: a null where a value is required
 * (null-variable.check.ts), and fields their input type does not define.
 *
 * Refuses a variable with fields its input type does not define, before
 * graphql-js coerces it. graphql-js reports each unknown field with a copy of
 * the whole object it sits in: 39 invented fields of 26 KB in a 1 MB request
 * came back as a 40 MB answer after a second of work, stalling every other
 * request. This error names the fields, never their values. Field counts and
 * list lengths are bounded earlier, on the raw body (request.guard.ts).
 */
export function variableShapePlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, schema, document }) {
          if (!operation || !request.variables) return;
          const nulled = nullWhereRequired(schema, document, operation, request.variables);
          if (nulled) {
            const name = cut(nulled.variable);
            throw new GraphQLError(
              `Variable "$${name}" is null where a value is required (${nulled.type}); send a value, or leave it out to use its default. Nothing was run.`,
              { extensions: { code: ErrorCode.BAD_USER_INPUT, field: name, http: { status: 400 } } },
            );
          }
          const unknown = unknownFields(schema, operation, request.variables);
          if (unknown.length === 0) return;
          const [first, ...rest] = unknown;
          const others = rest.slice(0, NAMES_SHOWN - 1).map((u) => `"${u.path}"`);
          const more = rest.length ? ` Also not defined: ${others.join(', ')}${rest.length > others.length ? ' and more' : ''}.` : '';
          throw new GraphQLError(
            `Variable "$${first.variable}" got invalid value at "${first.path}"; Field "${first.field}" is not defined by type "${first.type}".${more}`,
            // Apollo's own variable errors are 400 BAD_USER_INPUT: the same here.
            // `field` below the variable, as every other BAD_USER_INPUT names it (src/errors/variable.locator.ts).
            { extensions: { code: ErrorCode.BAD_USER_INPUT, field: belowVariable(first.variable, first.path), http: { status: 400 } } },
          );
        },
      };
    },
  };
}

/** Paths of the fields (at most NAMES_SHOWN, then one more to count) that no input type along the way defines. */
export function unknownFields(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>> | undefined): Unknown[] {
  const found: Unknown[] = [];
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    const type = typeFromAST(schema, def.type) as GraphQLInputType | undefined;
    const shown = cut(name);
    if (type && variables && Object.hasOwn(variables, name)) walk(variables[name], type, shown, shown, found);
  }
  return found;
}

function walk(value: unknown, type: GraphQLInputType, variable: string, path: string, found: Unknown[]): void {
  if (found.length > NAMES_SHOWN || value === null || value === undefined) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    // A single value where a list is expected is coerced as a one-item list.
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, nullable.ofType as GraphQLInputType, variable, `${path}[${i}]`, found));
    else walk(value, nullable.ofType as GraphQLInputType, variable, path, found);
    return;
  }
  if (!isInputObjectType(nullable) || typeof value !== 'object' || Array.isArray(value)) return;
  const fields = nullable.getFields();
  for (const [key, v] of Object.entries(value)) {
    const shown = cut(key);
    const at = `${path}.${shown}`;
    if (!Object.hasOwn(fields, key)) found.push({ variable, path: at, field: shown, type: nullable.name });
    else walk(v, fields[key].type, variable, at, found);
    if (found.length > NAMES_SHOWN) return;
  }
}

function cut(name: string): string {
  return name.length > NAME_CHARS ? `${name.slice(0, NAME_CHARS)}…` : name;
}
