import type { GatewayContext } from '../../context';

/**
 * One-time credentials exist in this answer only (docs/idempotency.md): a client that gave up before it was
 * written (its own timeout shorter than the providers' worst case, a dropped connection) has lost them, and
 * its retry is a CONFLICT. Nothing can bring them back; the log says so, with the providers to act on.
 */
export function watchForLostCredentials(operation: string, idempotencyKey: string, issued: readonly string[], ctx: GatewayContext): void {
  ctx.onAnswerLost(() => {
    ctx.logger.warn(
      { operation, idempotencyKey, providers: issued },
      'the client went away before its answer was written: the one-time credentials these providers issued are lost (issue new ones there)',
    );
    ctx.identity.credentialsLost(issued);
  });
}
