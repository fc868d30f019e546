import { Field, InputType, Int } from 'type-graphql';
import type { UnleashServiceAccountOptions as SaOptions, UnleashUserOptions as UserOptions } from './unleash.spec';

@InputType()
export class UnleashServiceAccountOptions implements SaOptions {
  @Field(() => String, { nullable: true, description: 'Default: name.' }) username?: string;
  @Field(() => Int, { nullable: true, description: "Root role id (1 Admin, 2 Editor, 3 Viewer); default: the provider's rootRole." }) rootRole?: number;
}

@InputType()
export class UnleashUserOptions implements UserOptions {
  @Field(() => String, { nullable: true }) username?: string;
  @Field(() => Int, { nullable: true, description: "Root role id (1 Admin, 2 Editor, 3 Viewer); default: the provider's rootRole." }) rootRole?: number;
  @Field(() => Boolean, { nullable: true, description: 'Let Unleash e-mail the invitation; default false.' }) sendEmail?: boolean;
}
