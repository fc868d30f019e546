import { GraphQLError, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema, responsePathAsArray } from 'graphql';

/**
 * The GraphQLError graphql-js's `locatedError` would build around what a root resolver threw, built here
 * without capturing a stack. graphql-js's constructor captures one and then replaces it with the original
 * error's, and V8 formats the captured frames on that replacement: about 5% of a CONFLICT answer's CPU
 * (docs/performance.md, "Resolver errors are located without a stack"). Same message, nodes, path and
 * original error as `locatedError` gives; graphql-js passes an error that already has a path as it is.
 */
export function locateError(thrown: unknown, info: GraphQLResolveInfo): unknown {
  if (!(thrown instanceof Error) || Array.isArray((thrown as { path?: unknown }).path)) return thrown;
  const located = thrown as Error & Partial<Pick<GraphQLError, 'nodes' | 'source' | 'positions'>>;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new GraphQLError(located.message, {
      nodes: located.nodes ?? info.fieldNodes,
      source: located.source,
      positions: located.positions,
      path: responsePathAsArray(info.path),
      originalError: located,
    });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function locating<TSource, TContext, TArgs>(resolve: GraphQLFieldResolver<TSource, TContext, TArgs>): GraphQLFieldResolver<TSource, TContext, TArgs> {
  return (source, args, context, info) => {
    let result: unknown;
    try {
      result = resolve(source, args, context, info);
    } catch (err) {
      throw locateError(err, info);
    }
    return result instanceof Promise
      ? result.catch((err: unknown) => {
          throw locateError(err, info);
        })
      : result;
  };
}

/** Wraps every query and mutation resolver of the schema (in place: built once per process) with `locateError`. */
export function locateRootFieldErrors(schema: GraphQLSchema): GraphQLSchema {
  const roots = [schema.getQueryType(), schema.getMutationType()].filter((t): t is GraphQLObjectType => t != null);
  for (const root of roots) {
    for (const field of Object.values(root.getFields())) {
      if (field.resolve) field.resolve = locating(field.resolve);
    }
  }
  return schema;
}
