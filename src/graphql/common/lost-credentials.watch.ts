import type { GatewayContext } from '../../context';
import type { CreateResult } from '../../domain';

/**
 * One-time credentials exist in this answer only (docs/idempotency.md): a client that gave up before it was
 * written (its own timeout shorter than the providers' worst case, a dropped connection) has lost them, and
 * its retry is a CONFLICT. Nothing can bring them back; the log says so, with the providers to act on.
 */
export function watchForLostCredentials(operation: string, result: CreateResult, ctx: GatewayContext): void {
  const issued = result.results.filter((r) => r.kind === 'created' && r.credentials.length > 0).map((r) => r.providerId);
  if (issued.length === 0) return;
  ctx.onAnswerLost(() =>
    ctx.logger.warn(
      { operation, idempotencyKey: result.idempotencyKey, providers: issued },
      'the client went away before its answer was written: the one-time credentials these providers issued are lost (issue new ones there)',
    ),
  );
}
