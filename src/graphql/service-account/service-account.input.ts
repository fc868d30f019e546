import { Field, ID, InputType, Int } from 'type-graphql';
import { AccountStatus } from '../common/common.enums';

@InputType()
export class HoopServiceAccountOptions {
  @Field(() => String, { nullable: true, description: 'Identity-provider client subject; default: name.' }) subject?: string;
  @Field(() => [String], { nullable: true, description: 'Default: the provider\'s configured groups.' }) groups?: string[];
}

@InputType()
export class UnleashServiceAccountOptions {
  @Field(() => String, { nullable: true, description: 'Default: name.' }) username?: string;
  @Field(() => Int, { nullable: true, description: 'Root role id (1 Admin, 2 Editor, 3 Viewer); default: the provider\'s rootRole.' }) rootRole?: number;
}

@InputType()
export class VersoriServiceAccountOptions {
  @Field(() => String, { nullable: true, description: 'Default: the provider\'s organisationId.' }) organisationId?: string;
  @Field(() => [String], { nullable: true }) roles?: string[];
  @Field(() => [String], { nullable: true }) groupIds?: string[];
}

@InputType()
export class GenericServiceAccountOptions {
  @Field(() => [String], { nullable: true, description: 'Default: the provider\'s permissions.' }) permissions?: string[];
}

@InputType()
export class CreateServiceAccountInput {
  @Field(() => String, { description: 'Slug valid on every provider: ^[a-z][a-z0-9._-]{0,62}$' }) name: string;
  @Field(() => String, { nullable: true }) displayName?: string;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => AccountStatus, { defaultValue: AccountStatus.ACTIVE }) status: AccountStatus;
  @Field(() => [ID], { nullable: true, description: 'Provider instance ids; default: every provider that can create service accounts.' }) providers?: string[];
  @Field(() => String, { nullable: true, description: '1–255 printable ASCII; or the Idempotency-Key header. Default: derived from the input.' }) idempotencyKey?: string;
  @Field(() => HoopServiceAccountOptions, { nullable: true }) hoop?: HoopServiceAccountOptions;
  @Field(() => UnleashServiceAccountOptions, { nullable: true }) unleash?: UnleashServiceAccountOptions;
  @Field(() => VersoriServiceAccountOptions, { nullable: true }) versori?: VersoriServiceAccountOptions;
  @Field(() => GenericServiceAccountOptions, { nullable: true }) generic?: GenericServiceAccountOptions;
}
