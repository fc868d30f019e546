import { Field, InputType } from 'type-graphql';
import type { HoopServiceAccountOptions as SaOptions, HoopUserOptions as UserOptions } from './hoop.spec';

@InputType()
export class HoopServiceAccountOptions implements SaOptions {
  @Field(() => String, { nullable: true, description: 'Identity-provider client subject; default: name.' }) subject?: string;
  @Field(() => [String], { nullable: true, description: "Default: the provider's configured groups." }) groups?: string[];
}

@InputType()
export class HoopUserOptions implements UserOptions {
  @Field(() => String, { nullable: true }) slackId?: string;
  @Field(() => String, { nullable: true, description: 'Profile picture URL.' }) picture?: string;
  @Field(() => String, { nullable: true, description: 'Local-auth password. A secret: never stored, logged or returned.' }) password?: string;
}
