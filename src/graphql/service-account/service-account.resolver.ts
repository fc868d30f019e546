import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../context';
import { answerIssuedCredentials } from '../common/issued-credentials.handover';
import { mapResults, toDate } from '../common/result.mapper';
import { DryRunArg, dryRunAnswer } from '../plan/dry-run.arg';
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
    @DryRunArg() dryRun: boolean | null,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<CreateServiceAccountPayload> {
    ctx.requireScope('identity:write');
    if (dryRun) return Object.assign(new CreateServiceAccountPayload(), await dryRunAnswer('createServiceAccount', input, ctx));
    const result = await ctx.identity.create('createServiceAccount', ctx.caller, input);
    answerIssuedCredentials(result, info, ctx);
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
