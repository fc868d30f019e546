import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType({ description: 'The authenticated caller.' })
export class Client {
  @Field(() => ID, { description: '`anonymous` when the gateway runs without authentication.' }) id: string;
  @Field(() => [String]) scopes: string[];
}
