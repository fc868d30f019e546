import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../context';
import type { Operation, StoredRecord } from '../../domain';
import { IdentityOperation } from '../common/common.enums';
import { IdempotencyRecord, IdempotencyTargetRecord } from './idempotency-record.type';

@Resolver(() => IdempotencyRecord)
export class IdempotencyRecordResolver {
  @Query(() => IdempotencyRecord, { nullable: true, description: 'The stored outcome under one of your own idempotency keys; null when unknown or expired.' })
  async idempotencyRecord(
    @Arg('key', () => String) key: string,
    @Arg('operation', () => IdentityOperation) operation: Operation,
    @Ctx() ctx: GatewayContext,
  ): Promise<IdempotencyRecord | null> {
    ctx.requireScope('identity:read');
    const record = await ctx.loaders.idempotencyRecord.load({ key: ctx.identity.lookupKey(key), operation });
    return record ? toRecord(record) : null;
  }
}

function toRecord(r: StoredRecord): IdempotencyRecord {
  return Object.assign(new IdempotencyRecord(), {
    key: r.key,
    operation: r.operation,
    state: r.state,
    status: r.status,
    createdAt: new Date(r.createdAt),
    completedAt: r.completedAt ? new Date(r.completedAt) : undefined,
    results: r.results.map((t) =>
      Object.assign(
        new IdempotencyTargetRecord(),
        t.kind === 'created'
          ? { providerId: t.providerId, created: true, id: t.entity.id }
          : { providerId: t.providerId, created: false, code: t.failure.code, message: t.failure.message, retryable: t.failure.retryable },
      ),
    ),
  });
}
