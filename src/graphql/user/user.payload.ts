import { createUnionType, Field, ObjectType } from 'type-graphql';
import { CreateStatus } from '../common/common.enums';
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
  @Field(() => CreateStatus) status: CreateStatus;
  @Field(() => [UserResult], { description: 'One per target provider, in configuration order.' }) results: Array<typeof UserResult>;
}
