import { createUnionType, Field, ObjectType } from 'type-graphql';
import { CreateStatus } from '../common/common.enums';
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
  @Field(() => CreateStatus) status: CreateStatus;
  @Field(() => [ServiceAccountResult], { description: 'One per target provider, in configuration order.' }) results: Array<typeof ServiceAccountResult>;
}
