import type { ApolloServerPlugin } from '@apollo/server';

/** What resolvers noted for the client that is no error goes into the answer's `extensions.warnings` (docs/errors.md). */
export function responseWarningsPlugin<TContext extends { readonly warnings: readonly object[] }>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || contextValue.warnings.length === 0) return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, warnings: contextValue.warnings };
        },
      };
    },
  };
}
