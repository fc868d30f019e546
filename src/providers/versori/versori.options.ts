import { Field, InputType } from 'type-graphql';
import type { VersoriServiceAccountOptions as SaOptions } from './versori.spec';

@InputType()
export class VersoriServiceAccountOptions implements SaOptions {
  @Field(() => String, { nullable: true, description: "Default: the provider's organisationId." }) organisationId?: string;
  @Field(() => [String], { nullable: true }) roles?: string[];
  @Field(() => [String], { nullable: true }) groupIds?: string[];
}
