import { Field, ID, InputType } from 'type-graphql';
import type { UserSpec } from '../../domain';
import { EmailAddress } from '../common/email.scalar';
import { UserStatus } from '../common/common.enums';

/** The common fields; per-kind options fields come from the provider modules (addProviderOptionFields). */
@InputType()
export class CreateUserInput implements Partial<Omit<UserSpec, 'options'>> {
  @Field(() => EmailAddress) email: string;
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => UserStatus, { nullable: true, defaultValue: UserStatus.ACTIVE }) status?: UserStatus;
  @Field(() => [String], { nullable: true, description: 'Groups, on providers that have them (hoop).' }) groups?: string[];
  @Field(() => [ID], { nullable: true, description: 'Provider instance ids; default: every provider that can create users.' }) providers?: string[];
  @Field(() => String, { nullable: true }) idempotencyKey?: string;
}
