import { Arg } from 'type-graphql';
import type { GatewayContext } from '../../context';
import { AnswerStatus, type Operation } from '../../domain';
import type { CreateRequest } from '../../identity/identity.service';
import { toPlan } from './plan.mapper';
import type { CreatePlan } from './plan.type';

/** The create mutations' `dryRun` argument. Nullable: a `$dryRun: Boolean` variable sent as null means what leaving it out means. */
export const DryRunArg = () =>
  Arg('dryRun', () => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'Plan only: validate and resolve, claim, guard and send nothing; the answer is status DRY_RUN with the plan.',
  });

/** A create field's answer to `dryRun: true`: the plan, no results (a plan query answers the same plan). */
export async function dryRunAnswer<O extends Operation>(
  operation: O,
  input: CreateRequest<O>,
  ctx: GatewayContext,
): Promise<{ idempotencyKey: string; status: AnswerStatus; results: []; plan: CreatePlan }> {
  ctx.dryRuns++;
  const plan = toPlan(await ctx.identity.plan(operation, ctx.caller, input), ctx.identity);
  return { idempotencyKey: plan.idempotencyKey, status: AnswerStatus.DRY_RUN, results: [], plan };
}
