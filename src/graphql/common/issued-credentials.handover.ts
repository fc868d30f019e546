import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from '../../context';
import type { CreateResult } from '../../domain';
import { watchForLostCredentials } from './lost-credentials.watch';
import { warnOfUnselectedSecrets } from './unselected-secrets.warning';

/**
 * What a create field owes one-time credentials its answer carries (they exist nowhere else): a warning when
 * the operation does not select them, a log line when the answer never reaches the client.
 */
export function answerIssuedCredentials(result: CreateResult, info: GraphQLResolveInfo, ctx: GatewayContext): void {
  const issued = result.results.filter((r) => r.kind === 'created' && r.credentials.length > 0).map((r) => r.providerId);
  if (issued.length === 0) return;
  // The accounts exist: nothing here may throw the answer away. The watch first; a selection the warning
  // cannot read (a directive's argument graphql-js refuses: null-variable.check.ts stops those before) only
  // costs the warning.
  watchForLostCredentials(info.fieldName, result.idempotencyKey, issued, ctx);
  try {
    warnOfUnselectedSecrets(issued, info, ctx);
  } catch (err) {
    ctx.logger.warn({ operation: info.fieldName, err: (err as Error)?.message }, 'could not tell whether the operation selects the one-time credentials');
  }
}
