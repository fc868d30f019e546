import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Credential } from '../common/credential.type';
import { Provider } from '../provider/provider.type';

@ObjectType({ description: 'A user as the provider created it.' })
export class User {
  @Field(() => ID, {
    nullable: true,
    description: "Provider-native id, as a string; null when the provider's answer named none (its contract makes the id optional).",
  })
  id?: string;
  @Field(() => String) email: string;
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => String, {
    nullable: true,
    description: "The name the provider shows for the user: its `name` (a user's only display name), as ServiceAccount's displayName.",
  })
  displayName?: string;
  @Field(() => String, { nullable: true }) username?: string;
  @Field(() => String, { nullable: true }) status?: string;
  @Field(() => DateTimeResolver, { nullable: true }) createdAt?: Date;
}

@ObjectType()
export class UserCreated {
  @Field(() => Provider) provider: Provider;
  @Field(() => User) user: User;
  @Field(() => [Credential], { description: 'One-time credentials (e.g. an Unleash invite link); empty when replayed.' }) credentials: Credential[];
  @Field(() => Boolean) replayed: boolean;
}
