import { Field, ObjectType } from 'type-graphql';
import type { Operation } from '../../domain';
import { GuardState, IdentityOperation, PlanAction, PlanKeyState } from '../common/common.enums';
import { Provider } from '../provider/provider.type';

@ObjectType({ description: 'One field of a planned request body; secrets read "<redacted>".' })
export class PlannedBodyField {
  @Field(() => String, { description: 'JSON path in the body, e.g. `groups[0]`.' }) path: string;
  @Field(() => String, { description: 'The value, JSON-encoded.' }) value: string;
}

@ObjectType({ description: 'The upstream request a create would send: never a credential value.' })
export class PlannedRequest {
  @Field(() => String) method: string;
  @Field(() => String) url: string;
  @Field(() => [String], { description: 'Header names only (the authorization value holds the provider token).' }) headerNames: string[];
  @Field(() => [PlannedBodyField], { description: 'The JSON body, field by field.' }) body: PlannedBodyField[];
  @Field(() => String, { description: 'The same body as one JSON document (secrets redacted).' }) bodyJson: string;
}

@ObjectType({ description: 'What a create would do on one target provider.' })
export class PlannedTarget {
  @Field(() => Provider) provider: Provider;
  @Field(() => PlanAction) action: PlanAction;
  @Field(() => String, { nullable: true, description: 'The identity this target guards on its provider (subject, username, e-mail, organisation/name…).' })
  naturalKey?: string;
  @Field(() => GuardState, { nullable: true }) guard?: GuardState;
  @Field(() => String, { nullable: true, description: 'Why, when the action is not CALL.' }) message?: string;
  @Field(() => PlannedRequest, { nullable: true }) request?: PlannedRequest;
}

@ObjectType({ description: 'A create, planned: validated, resolved and looked up, with nothing claimed, guarded or sent.' })
export class CreatePlan {
  @Field(() => IdentityOperation) operation: Operation;
  @Field(() => String, { description: 'The key the create would run under (given, from the header, or derived).' }) idempotencyKey: string;
  @Field(() => Boolean) keyDerived: boolean;
  @Field(() => PlanKeyState) keyState: PlanKeyState;
  @Field(() => Boolean, { description: 'Whether any upstream request would be sent.' }) wouldSend: boolean;
  @Field(() => [PlannedTarget], { description: 'One per target provider, in configuration order.' }) targets: PlannedTarget[];
}
