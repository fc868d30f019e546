import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../context';
import { AuditFilter } from './audit.input';
import { AuditEvent, AuditEventConnection, AuditEventEdge, AuditPageInfo, AuditTarget } from './audit.type';

@Resolver(() => AuditEventConnection)
export class AuditResolver {
  @Query(() => AuditEventConnection, {
    description: 'Every create attempt that reached the store, newest first. Needs identity:audit (readers of their own keys are not auditors).',
  })
  async auditEvents(
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: '1–100.' }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Arg('filter', () => AuditFilter, { nullable: true }) filter: AuditFilter | null | undefined,
    @Ctx() ctx: GatewayContext,
  ): Promise<AuditEventConnection> {
    ctx.requireScope('identity:audit');
    const f = filter ?? {};
    const page = await ctx.identity.auditEvents({
      first: first ?? 20,
      after: after ?? undefined,
      filter: {
        clientId: f.clientId ?? undefined,
        operation: f.operation ?? undefined,
        providerId: f.providerId ?? undefined,
        status: f.status ?? undefined,
        since: f.since ? f.since.toISOString() : undefined,
        until: f.until ? f.until.toISOString() : undefined,
      },
    });
    return Object.assign(new AuditEventConnection(), {
      edges: page.events.map(({ cursor, ...e }) =>
        Object.assign(new AuditEventEdge(), {
          cursor,
          node: Object.assign(new AuditEvent(), { ...e, at: new Date(e.at), targets: e.targets.map((t) => Object.assign(new AuditTarget(), t)) }),
        }),
      ),
      pageInfo: Object.assign(new AuditPageInfo(), { hasNextPage: page.hasNextPage, endCursor: page.endCursor }),
    });
  }
}
