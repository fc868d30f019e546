import { createUnionType, Field, ObjectType } from 'type-graphql';
import { AnswerStatus } from '../common/common.enums';
import { CreatePlan } from '../plan/plan.type';
import { ProviderFailure } from '../common/provider-failure.type';
import { ServiceAccountCreated } from './service-account.type';

export const ServiceAccountResult = createUnionType({
  name: 'ServiceAccountResult',
  types: () => [ServiceAccountCreated, ProviderFailure] as const,
  resolveType: (value) => (value instanceof ProviderFailure ? ProviderFailure : ServiceAccountCreated),
});

@ObjectType()
export class CreateServiceAccountPayload {
  @Field(() => String, { description: 'The key this request ran under (given, from the header, or derived from the input).' }) idempotencyKey: string;
  @Field(() => AnswerStatus) status: AnswerStatus;
  @Field(() => [ServiceAccountResult], { description: 'One per target provider, in configuration order.' }) results: Array<typeof ServiceAccountResult>;
  @Field(() => CreatePlan, {
    nullable: true,
    description: 'Only for dryRun: true (status DRY_RUN, no results): what the create would do. planServiceAccount and planUser give the same as queries.',
  })
  plan?: CreatePlan;
}
