import { Ctx, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../context';
import { Client } from './client.type';

@Resolver()
export class ViewerResolver {
  @Query(() => Client, { nullable: true, description: 'Who the gateway thinks you are.' })
  viewer(@Ctx() ctx: GatewayContext): Client {
    return Object.assign(new Client(), { id: ctx.client.id, scopes: [...ctx.client.scopes] });
  }
}
