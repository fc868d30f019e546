import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../context';
import { AnswerStatus } from '../../domain';
import { watchForLostCredentials } from '../common/lost-credentials.watch';
import { warnOfUnselectedSecrets } from '../common/unselected-secrets.warning';
import { mapResults, toDate } from '../common/result.mapper';
import { toPlan } from '../plan/plan.mapper';
import { CreateUserInput } from './user.input';
import { CreateUserPayload } from './user.payload';
import { User, UserCreated } from './user.type';

@Resolver()
export class UserResolver {
  @Mutation(() => CreateUserPayload, {
    // Nullable: an error on one create field must never null the whole answer, which would hide
    // the one-time credentials another field of the same request received.
    nullable: true,
    description: 'Creates the user on every target provider in parallel; repeated creates are CONFLICT errors.',
  })
  async createUser(
    @Arg('input', () => CreateUserInput) input: CreateUserInput,
    // Nullable: a `$dryRun: Boolean` variable sent as null means what leaving it out means.
    @Arg('dryRun', () => Boolean, {
      nullable: true,
      defaultValue: false,
      description: 'Plan only: validate and resolve, claim, guard and send nothing; the answer is status DRY_RUN with the plan.',
    })
    dryRun: boolean | null,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<CreateUserPayload> {
    ctx.requireScope('identity:write');
    if (dryRun) {
      const plan = toPlan(await ctx.identity.plan('createUser', ctx.caller, input), ctx.identity);
      return Object.assign(new CreateUserPayload(), { idempotencyKey: plan.idempotencyKey, status: AnswerStatus.DRY_RUN, results: [], plan });
    }
    const result = await ctx.identity.create('createUser', ctx.caller, input);
    warnOfUnselectedSecrets(result, info, ctx);
    watchForLostCredentials(info.fieldName, result, ctx);
    return Object.assign(
      new CreateUserPayload(),
      mapResults(result, ctx.identity, ({ provider, entity, credentials, replayed }) =>
        Object.assign(new UserCreated(), {
          provider,
          user: Object.assign(new User(), { ...entity, email: entity.email ?? input.email, createdAt: toDate(entity.createdAt) }),
          credentials,
          replayed,
        }),
      ),
    );
  }
}
