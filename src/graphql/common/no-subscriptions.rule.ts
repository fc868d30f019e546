import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';

/**
 * The schema has no Subscription type, and graphql-js only notices that when
 * executing (an internal error). Refused during validation instead: a client
 * mistake, answered as one, before anything runs.
 */
export function noSubscriptionsRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation === 'subscription' && !context.getSchema().getSubscriptionType()) {
        context.reportError(new GraphQLError('This API has no subscriptions; use a query or a mutation.', { nodes: [node] }));
      }
    },
  };
}
