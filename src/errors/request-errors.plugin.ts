import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { isUnexpectedError, withRequestId } from './error.formatter';

/**
 * What formatError cannot do, having no request: an unexpected error is
 * logged in full with the request id, and every error of the response gets
 * that id. Carried in the context, not in AsyncLocalStorage, whose promise
 * hooks cost a third of the throughput on Node 20 (docs/performance.md).
 */
export function requestErrorsPlugin<TContext extends { readonly requestId: string; readonly logger: Logger }>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (!isUnexpectedError(error)) continue;
            const original = unwrapResolverError(error);
            const err = original instanceof Error ? { message: original.message, stack: original.stack } : String(original);
            contextValue.logger.error({ err, requestId: contextValue.requestId }, 'unexpected error');
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind === 'single' && response.body.singleResult.errors) {
            response.body.singleResult.errors = withRequestId(response.body.singleResult.errors, contextValue.requestId);
          }
        },
      };
    },
  };
}
