import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { CreatePlan as DomainPlan, UpstreamRequestDescription } from '../../domain';
import type { GatewayContext } from '../../context';
import type { IdentityService } from '../../identity/identity.service';
import { toProvider } from '../provider/provider.mapper';
import { CreateServiceAccountInput } from '../service-account/service-account.input';
import { CreateUserInput } from '../user/user.input';
import { CreatePlan, PlannedBodyField, PlannedRequest, PlannedTarget } from './plan.type';

/**
 * Plans are queries, not a `dryRun` flag on the mutations: a query is
 * side-effect free by contract (safe to retry, to send as GET, to batch with
 * other reads, and outside the one-create-per-operation cap), and its return
 * type is the plan itself rather than a union with the payload.
 */
@Resolver(() => CreatePlan)
export class PlanResolver {
  @Query(() => CreatePlan, { description: 'What createServiceAccount with this input would do, without doing any of it. Needs identity:write.' })
  async planServiceAccount(@Arg('input', () => CreateServiceAccountInput) input: CreateServiceAccountInput, @Ctx() ctx: GatewayContext): Promise<CreatePlan> {
    ctx.requireScope('identity:write');
    return toPlan(await ctx.identity.plan('createServiceAccount', ctx.caller, input), ctx.identity);
  }

  @Query(() => CreatePlan, { description: 'What createUser with this input would do, without doing any of it. Needs identity:write.' })
  async planUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: GatewayContext): Promise<CreatePlan> {
    ctx.requireScope('identity:write');
    return toPlan(await ctx.identity.plan('createUser', ctx.caller, input), ctx.identity);
  }
}

function toPlan(plan: DomainPlan, identity: IdentityService): CreatePlan {
  return Object.assign(new CreatePlan(), {
    ...plan,
    targets: plan.targets.map((t) =>
      Object.assign(new PlannedTarget(), {
        ...t,
        provider: toProvider(identity.providerInfo(t.providerId)!),
        request: t.request && toRequest(t.request),
      }),
    ),
  });
}

function toRequest(r: UpstreamRequestDescription): PlannedRequest {
  return Object.assign(new PlannedRequest(), {
    method: r.method,
    url: r.url,
    headerNames: [...r.headerNames],
    body: flatten(r.body, '').map(([path, value]) => Object.assign(new PlannedBodyField(), { path, value: JSON.stringify(value) })),
    bodyJson: JSON.stringify(r.body),
  });
}

/** Leaves of a JSON value as [path, value] pairs, so a client can render the body as a table. */
function flatten(value: unknown, path: string): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.length ? value.flatMap((v, i) => flatten(v, `${path}[${i}]`)) : [[path, []]];
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length ? entries.flatMap(([k, v]) => flatten(v, path ? `${path}.${k}` : k)) : [[path, {}]];
  }
  return [[path, value]];
}
