import { Field, ID, InputType, Int } from 'type-graphql';
import { EmailAddress } from '../common/email.scalar';
import { UserStatus } from '../common/common.enums';

@InputType()
export class HoopUserOptions {
  @Field(() => String, { nullable: true }) slackId?: string;
  @Field(() => String, { nullable: true, description: 'Profile picture URL.' }) picture?: string;
  @Field(() => String, { nullable: true, description: 'Local-auth password. A secret: never stored, logged or returned.' }) password?: string;
}

@InputType()
export class UnleashUserOptions {
  @Field(() => String, { nullable: true }) username?: string;
  @Field(() => Int, { nullable: true, description: 'Root role id (1 Admin, 2 Editor, 3 Viewer); default: the provider\'s rootRole.' }) rootRole?: number;
  @Field(() => Boolean, { nullable: true, description: 'Let Unleash e-mail the invitation; default false.' }) sendEmail?: boolean;
}

@InputType()
export class CreateUserInput {
  @Field(() => EmailAddress) email: string;
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => UserStatus, { defaultValue: UserStatus.ACTIVE }) status: UserStatus;
  @Field(() => [String], { nullable: true, description: 'Groups, on providers that have them (hoop).' }) groups?: string[];
  @Field(() => [ID], { nullable: true, description: 'Provider instance ids; default: every provider that can create users.' }) providers?: string[];
  @Field(() => String, { nullable: true }) idempotencyKey?: string;
  @Field(() => HoopUserOptions, { nullable: true }) hoop?: HoopUserOptions;
  @Field(() => UnleashUserOptions, { nullable: true }) unleash?: UnleashUserOptions;
}
