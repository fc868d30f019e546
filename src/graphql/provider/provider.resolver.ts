import { Ctx, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../context';
import { Provider } from './provider.type';
import { toProvider } from './provider.mapper';

@Resolver(() => Provider)
export class ProviderResolver {
  @Query(() => [Provider], { description: 'Configured providers, in configuration order.' })
  providers(@Ctx() ctx: GatewayContext): Provider[] {
    ctx.requireScope('identity:read');
    return ctx.identity.listProviders().map(toProvider);
  }
}
