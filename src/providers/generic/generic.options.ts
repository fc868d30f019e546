import { Field, InputType } from 'type-graphql';
import type { GenericServiceAccountOptions as SaOptions } from './generic.spec';

@InputType()
export class GenericServiceAccountOptions implements SaOptions {
  @Field(() => [String], { nullable: true, description: "Default: the provider's permissions." }) permissions?: string[];
}
