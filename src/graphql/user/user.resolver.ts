import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../context';
import type { UserSpec } from '../../identity/identity.types';
import { mapResults, toDate } from '../common/result.mapper';
import { CreateUserInput } from './user.input';
import { CreateUserPayload } from './user.payload';
import { User, UserCreated } from './user.type';

@Resolver()
export class UserResolver {
  @Mutation(() => CreateUserPayload, {
    description: 'Creates the user on every target provider in parallel; repeated creates are CONFLICT errors.',
  })
  async createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: GatewayContext): Promise<CreateUserPayload> {
    ctx.requireScope('identity:write');
    const { providers, idempotencyKey, ...spec } = input;
    const result = await ctx.identity.create('createUser', ctx.caller, { spec: spec as UserSpec, providers, idempotencyKey });
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
