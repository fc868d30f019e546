import { Field, ID, InputType } from 'type-graphql';
import { NAME_SLUG, type ServiceAccountSpec } from '../../domain';
import { AccountStatus } from '../common/common.enums';

/**
 * The common fields. One nullable options field per provider kind (`hoop`,
 * `unleash`, …) is added from the provider modules when the schema is built
 * (addProviderOptionFields).
 */
@InputType()
export class CreateServiceAccountInput implements Partial<Omit<ServiceAccountSpec, 'options'>> {
  @Field(() => String, { description: `Slug valid on every provider: ${NAME_SLUG.source}` }) name: string;
  @Field(() => String, { nullable: true }) displayName?: string;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => AccountStatus, { nullable: true, defaultValue: AccountStatus.ACTIVE }) status?: AccountStatus;
  @Field(() => [ID], { nullable: true, description: 'Provider instance ids; default: every provider that can create service accounts.' }) providers?: string[];
  @Field(() => String, { nullable: true, description: '1–255 printable ASCII; or the Idempotency-Key header. Default: derived from the input.' })
  idempotencyKey?: string;
}
