import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from './error-code.enum';
import { isUnexpectedError, withRequestId } from './error.formatter';
import { variableLeaves, withoutVariableLeaves, withoutVariableValue } from './variable.locator';

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
        async willSendResponse({ response, contextValue, request }) {
          if (response.body.kind === 'single' && response.body.singleResult.errors) {
            response.body.singleResult.errors = withRequestId(
              withoutQuotedVariables(response.body.singleResult.errors, request.variables),
              contextValue.requestId,
            );
          }
        },
      };
    },
  };
}

/**
 * Variable errors quote nothing of what the client sent (docs/errors.md): the value graphql-js quotes is cut,
 * and whatever else of the variables the message still holds is redacted. The path stays in extensions.field
 * (formatError read it from the message as graphql-js wrote it).
 */
function withoutQuotedVariables(errors: readonly GraphQLFormattedError[], variables: unknown): readonly GraphQLFormattedError[] {
  const isVariableError = (e: GraphQLFormattedError) => e.extensions?.code === ErrorCode.BAD_USER_INPUT && e.message.startsWith('Variable "$');
  if (!variables || !errors.some(isVariableError)) return errors;
  const leaves = variableLeaves(variables);
  return errors.map((e) => (isVariableError(e) ? { ...e, message: withoutVariableLeaves(withoutVariableValue(e.message), leaves) } : e));
}

export function logUnexpected(logger: Logger, error: unknown): void {
  logger.error({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, 'unexpected error');
}
