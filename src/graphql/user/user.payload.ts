import { createUnionType, Field, ObjectType } from 'type-graphql';
import { AnswerStatus } from '../common/common.enums';
import { CreatePlan } from '../plan/plan.type';
import { ProviderFailure } from '../common/provider-failure.type';
import { UserCreated } from './user.type';

export const UserResult = createUnionType({
  name: 'UserResult',
  types: () => [UserCreated, ProviderFailure] as const,
  resolveType: (value) => (value instanceof ProviderFailure ? ProviderFailure : UserCreated),
});

@ObjectType()
export class CreateUserPayload {
  @Field(() => String) idempotencyKey: string;
  @Field(() => AnswerStatus) status: AnswerStatus;
  @Field(() => [UserResult], { description: 'One per target provider, in configuration order.' }) results: Array<typeof UserResult>;
  @Field(() => CreatePlan, {
    nullable: true,
    description: 'Only for dryRun: true (status DRY_RUN, no results): what the create would do. planServiceAccount and planUser give the same as queries.',
  })
  plan?: CreatePlan;
}
