import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../context';
import { answerIssuedCredentials } from '../common/issued-credentials.handover';
import { mapResults, toDate } from '../common/result.mapper';
import { DryRunArg, dryRunAnswer } from '../plan/dry-run.arg';
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
    @DryRunArg() dryRun: boolean | null,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<CreateUserPayload> {
    ctx.requireScope('identity:write');
    if (dryRun) return Object.assign(new CreateUserPayload(), await dryRunAnswer('createUser', input, ctx));
    const result = await ctx.identity.create('createUser', ctx.caller, input);
    answerIssuedCredentials(result, info, ctx);
    return Object.assign(
      new CreateUserPayload(),
      mapResults(result, ctx.identity, ({ provider, entity, credentials, replayed }) =>
        Object.assign(new UserCreated(), {
          provider,
          user: Object.assign(new User(), {
            ...entity,
            email: entity.email ?? input.email,
            displayName: entity.displayName ?? entity.name,
            createdAt: toDate(entity.createdAt),
          }),
          credentials,
          replayed,
        }),
      ),
    );
  }
}
