import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../context';
import { CreateServiceAccountInput } from '../service-account/service-account.input';
import { CreateUserInput } from '../user/user.input';
import { toPlan } from './plan.mapper';
import { CreatePlan } from './plan.type';

/**
 * Plans as queries, beside the mutations' `dryRun: true` (which the contract names): a query is side-effect
 * free by contract (safe to retry, to send as GET, to batch with other reads, and outside the
 * one-create-per-operation cap), and its return type is the plan itself rather than a payload holding one.
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
