import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { Operation } from '../../domain';
import { AuditStatus, AuditTargetResult, IdentityOperation } from '../common/common.enums';

@ObjectType({ description: 'What one create attempt did on one provider: an id or a failure code, never a credential.' })
export class AuditTarget {
  @Field(() => ID) providerId: string;
  @Field(() => AuditTargetResult) result: AuditTargetResult;
  @Field(() => ID, { nullable: true, description: "The provider's id of what was created." }) id?: string;
  @Field(() => String, { nullable: true, description: 'The failure code, when not created.' }) code?: string;
  @Field(() => Int, { nullable: true, description: "The provider's HTTP status of a failure, when it answered." }) httpStatus?: number;
  @Field(() => String, { nullable: true, description: "The provider's id of the failed request, when it gave one (for its support)." })
  upstreamRequestId?: string;
}

@ObjectType({ description: 'Who created what, where and when: one event per create attempt that reached the idempotency store.' })
export class AuditEvent {
  @Field(() => DateTimeResolver) at: Date;
  @Field(() => String) requestId: string;
  @Field(() => ID, { description: 'API key client id or JWT subject.' }) clientId: string;
  @Field(() => IdentityOperation) operation: Operation;
  @Field(() => String, { description: 'As sent, or the derived key (itself an HMAC).' }) idempotencyKey: string;
  @Field(() => AuditStatus) status: AuditStatus;
  @Field(() => [AuditTarget]) targets: AuditTarget[];
}

@ObjectType()
export class AuditEventEdge {
  @Field(() => String) cursor: string;
  @Field(() => AuditEvent) node: AuditEvent;
}

@ObjectType()
export class AuditPageInfo {
  @Field(() => Boolean) hasNextPage: boolean;
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' }) endCursor?: string;
}

@ObjectType({ description: 'Audit events, newest first (Relay-style connection).' })
export class AuditEventConnection {
  @Field(() => [AuditEventEdge]) edges: AuditEventEdge[];
  @Field(() => AuditPageInfo) pageInfo: AuditPageInfo;
}
