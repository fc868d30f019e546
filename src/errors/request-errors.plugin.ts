import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { isUnexpectedError, withRequestId } from './error.formatter';

/**
 * What formatError cannot do, having no request: an unexpected error is
 * logged in full with the request id, and every error of the response gets
 * that id. Carried in the context, not in AsyncLocalStorage, whose promise
 * hooks cost a fifth of the CPU per request on Node 20 (docs/performance.md).
 * The context's logger already carries the request and client ids.
 */
export function requestErrorsPlugin<TContext extends { readonly requestId: string; readonly logger: Logger }>(): ApolloServerPlugin<TContext> {
  return {
    // A hook that throws (Apollo answers 500 from its own catch, without didEncounterErrors).
    async unexpectedErrorProcessingRequest({ requestContext, error }) {
      logUnexpected(requestContext.contextValue.logger, error);
    },
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) if (isUnexpectedError(error)) logUnexpected(contextValue.logger, unwrapResolverError(error));
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

export function logUnexpected(logger: Logger, error: unknown): void {
  logger.error({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, 'unexpected error');
}
