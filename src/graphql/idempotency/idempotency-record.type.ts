import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { Operation } from '../../domain';
import { AnswerStatus, IdentityOperation, ProviderErrorCode, RecordState } from '../common/common.enums';

@ObjectType({ description: 'What became of one target, as recorded (never a credential).' })
export class IdempotencyTargetRecord {
  @Field(() => ID) providerId: string;
  @Field(() => Boolean) created: boolean;
  @Field(() => ID, { nullable: true, description: 'Provider-native id, when created.' }) id?: string;
  @Field(() => ProviderErrorCode, { nullable: true, description: 'Failure code, when not created.' }) code?: ProviderErrorCode;
  @Field(() => String, { nullable: true }) message?: string;
  @Field(() => Boolean, { nullable: true }) retryable?: boolean;
}

@ObjectType({ description: 'The stored outcome of a create under one idempotency key of the calling client.' })
export class IdempotencyRecord {
  @Field(() => String) key: string;
  @Field(() => IdentityOperation) operation: Operation;
  @Field(() => RecordState) state: RecordState;
  @Field(() => AnswerStatus, { nullable: true, description: 'Of the last completed attempt (never DRY_RUN).' }) status?: AnswerStatus;
  @Field(() => DateTimeResolver) createdAt: Date;
  @Field(() => DateTimeResolver, { nullable: true }) completedAt?: Date;
  @Field(() => [IdempotencyTargetRecord]) results: IdempotencyTargetRecord[];
}
