import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../context';
import type { ServiceAccountSpec } from '../../identity/identity.types';
import { mapResults, toDate } from '../common/result.mapper';
import { CreateServiceAccountInput } from './service-account.input';
import { CreateServiceAccountPayload } from './service-account.payload';
import { ServiceAccount, ServiceAccountCreated } from './service-account.type';

@Resolver()
export class ServiceAccountResolver {
  @Mutation(() => CreateServiceAccountPayload, {
    description: 'Creates the service account on every target provider in parallel; repeated creates are CONFLICT errors.',
  })
  async createServiceAccount(
    @Arg('input', () => CreateServiceAccountInput) input: CreateServiceAccountInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<CreateServiceAccountPayload> {
    ctx.requireScope('identity:write');
    const { providers, idempotencyKey, ...spec } = input;
    const result = await ctx.identity.create('createServiceAccount', ctx.caller, {
      spec: spec as ServiceAccountSpec,
      providers,
      idempotencyKey,
    });
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
