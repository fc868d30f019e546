import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { CredentialKind } from './common.enums';

@ObjectType({ description: 'A one-time credential issued by a provider. Returned once, in the response that created it; never stored, logged or replayed.' })
export class Credential {
  @Field(() => CredentialKind) kind: CredentialKind;
  @Field(() => ID, { nullable: true, description: 'Provider id of the credential (e.g. the Unleash PAT id).' }) id?: string;
  @Field(() => String, { nullable: true, description: 'OAuth client id, for CLIENT_SECRET.' }) clientId?: string;
  @Field(() => String, { description: 'The secret itself: a token, a client secret or an invite link.' }) secret: string;
  @Field(() => DateTimeResolver, { nullable: true }) expiresAt?: Date;
}
