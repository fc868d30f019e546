import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Credential } from '../common/credential.type';
import { Provider } from '../provider/provider.type';

@ObjectType({ description: 'A service account as the provider created it.' })
export class ServiceAccount {
  @Field(() => ID, {
    nullable: true,
    description: "Provider-native id, as a string; null when the provider's answer named none (its contract makes the id optional).",
  })
  id?: string;
  @Field(() => String, { description: 'Identifier on the provider (hoop subject, Unleash username, Versori/generic name).' }) name: string;
  @Field(() => String, { nullable: true }) displayName?: string;
  @Field(() => String, { nullable: true }) email?: string;
  @Field(() => String, { nullable: true }) status?: string;
  @Field(() => DateTimeResolver, { nullable: true }) createdAt?: Date;
}

@ObjectType()
export class ServiceAccountCreated {
  @Field(() => Provider) provider: Provider;
  @Field(() => ServiceAccount) account: ServiceAccount;
  @Field(() => [Credential], { description: 'One-time credentials; empty when replayed.' }) credentials: Credential[];
  @Field(() => Boolean, { description: 'True when an earlier request with this key created it; credentials are not repeated.' }) replayed: boolean;
}
