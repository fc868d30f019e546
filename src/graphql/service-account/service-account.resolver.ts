import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../context';
import { AnswerStatus } from '../../domain';
import { watchForLostCredentials } from '../common/lost-credentials.watch';
import { warnOfUnselectedSecrets } from '../common/unselected-secrets.warning';
import { mapResults, toDate } from '../common/result.mapper';
import { toPlan } from '../plan/plan.mapper';
import { CreateServiceAccountInput } from './service-account.input';
import { CreateServiceAccountPayload } from './service-account.payload';
import { ServiceAccount, ServiceAccountCreated } from './service-account.type';

@Resolver()
export class ServiceAccountResolver {
  @Mutation(() => CreateServiceAccountPayload, {
    // Nullable: an error on one create field must never null the whole answer, which would hide
    // the one-time credentials another field of the same request received.
    nullable: true,
    description: 'Creates the service account on every target provider in parallel; repeated creates are CONFLICT errors.',
  })
  async createServiceAccount(
    @Arg('input', () => CreateServiceAccountInput) input: CreateServiceAccountInput,
    // Nullable: a `$dryRun: Boolean` variable sent as null means what leaving it out means.
    @Arg('dryRun', () => Boolean, {
      nullable: true,
      defaultValue: false,
      description: 'Plan only: validate and resolve, claim, guard and send nothing; the answer is status DRY_RUN with the plan.',
    })
    dryRun: boolean | null,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<CreateServiceAccountPayload> {
    ctx.requireScope('identity:write');
    if (dryRun) {
      const plan = toPlan(await ctx.identity.plan('createServiceAccount', ctx.caller, input), ctx.identity);
      return Object.assign(new CreateServiceAccountPayload(), { idempotencyKey: plan.idempotencyKey, status: AnswerStatus.DRY_RUN, results: [], plan });
    }
    const result = await ctx.identity.create('createServiceAccount', ctx.caller, input);
    warnOfUnselectedSecrets(result, info, ctx);
    watchForLostCredentials(info.fieldName, result, ctx);
    return Object.assign(
      new CreateServiceAccountPayload(),
      mapResults(result, ctx.identity, ({ provider, entity, credentials, replayed }) =>
        Object.assign(new ServiceAccountCreated(), {
          provider,
          account: Object.assign(new ServiceAccount(), { ...entity, name: entity.name ?? input.name, createdAt: toDate(entity.createdAt) }),
          credentials,
          replayed,
        }),
      ),
    );
  }
}
