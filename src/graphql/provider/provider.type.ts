import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type { Operation } from '../../domain';
import { CircuitState, HealthState, IdentityOperation, ProviderErrorCode } from '../common/common.enums';
import { ProviderKind } from './provider-kind.enum';

@ObjectType({ description: 'Passive health of a provider, from the outcomes of recent calls.' })
export class ProviderHealth {
  @Field(() => HealthState) state: HealthState;
  @Field(() => DateTimeResolver, { nullable: true }) lastSuccessAt?: Date;
  @Field(() => DateTimeResolver, { nullable: true }) lastFailureAt?: Date;
  @Field(() => ProviderErrorCode, { nullable: true }) lastFailureCode?: ProviderErrorCode;
  @Field(() => Int) consecutiveFailures: number;
  @Field(() => CircuitState, { nullable: true, description: "The provider's circuit breaker; null for a provider without one." }) circuit?: CircuitState;
}

@ObjectType({ description: 'A configured identity provider instance.' })
export class Provider {
  @Field(() => ID, { description: 'Instance id from the gateway configuration, used in `providers` inputs.' }) id: string;
  @Field(() => ProviderKind) kind: string;
  @Field(() => [IdentityOperation], { description: 'Operations this instance can perform.' }) capabilities: Operation[];
  @Field(() => ProviderHealth) health: ProviderHealth;
}
