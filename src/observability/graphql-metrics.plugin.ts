import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { createFieldCount } from '../graphql/common/max-creates.rule';
import type { GatewayMetrics } from './metrics.registry';

/**
 * Records every GraphQL request: count and latency by root field, operation
 * type and outcome. The root field (createServiceAccount, providers, …) is
 * the `operation` label, not the client's operation name: that one is free
 * text, and a label with unbounded values would grow the registry forever.
 */
export function graphqlMetricsPlugin(metrics: GatewayMetrics): ApolloServerPlugin<{ readonly dryRuns?: number }> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      let operation = '(none)';
      let type = '(none)';
      let mutationFields = 0;
      return {
        async didResolveOperation({ operation: op, schema, document }) {
          if (!op) return;
          type = op.operation;
          // Counted as maxCreatesRule counts them, so a request whose every create is a dry run is told apart.
          mutationFields = createFieldCount(op, document, schema);
          const name = rootField(op);
          // Only names the schema has (and its three meta-fields): anything a client can invent would be an unbounded label.
          operation = schema.getRootType(op.operation)?.getFields()[name] || META_FIELDS.has(name) ? name : '(unknown)';
        },
        async willSendResponse({ response, contextValue }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes = errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          // A request of dry runs only created nothing: counted apart, so `ok` creates stay creates.
          const dryOnly = mutationFields > 0 && contextValue.dryRuns === mutationFields;
          const labels = { operation, type, outcome: codes[0] ?? (dryOnly ? 'dry_run' : 'ok') };
          metrics.graphqlRequestFinished(labels, Number(process.hrtime.bigint() - started) / 1e9);
          const storeDown = errors.filter((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE' && !e.extensions?.shuttingDown).length;
          if (storeDown) metrics.storeErrors.inc(storeDown);
        },
      };
    },
  };
}

/** Introspection's root fields (the playground's and codegen's queries), which getFields() does not list. */
const META_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type', '__typename']);

function rootField(op: OperationDefinitionNode): string {
  const first = op.selectionSet.selections[0];
  return first?.kind === Kind.FIELD ? first.name.value : '(fragment)';
}
