import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, InputType } from 'type-graphql';
import type { AuditFilter as DomainFilter, Operation } from '../../domain';
import { AuditStatus, IdentityOperation } from '../common/common.enums';

@InputType({ description: 'Every given field must match.' })
export class AuditFilter implements Omit<DomainFilter, 'since' | 'until'> {
  @Field(() => ID, { nullable: true }) clientId?: string;
  @Field(() => IdentityOperation, { nullable: true }) operation?: Operation;
  @Field(() => ID, { nullable: true, description: 'Events with a target on this provider instance.' }) providerId?: string;
  @Field(() => AuditStatus, { nullable: true }) status?: AuditStatus;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Inclusive.' }) since?: Date;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Inclusive.' }) until?: Date;
}
