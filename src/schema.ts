import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { IdempotencyRecordResolver } from './graphql/idempotency/idempotency-record.resolver';
import { ProviderResolver } from './graphql/provider/provider.resolver';
import { ServiceAccountResolver } from './graphql/service-account/service-account.resolver';
import { UserResolver } from './graphql/user/user.resolver';
import { ViewerResolver } from './graphql/viewer/viewer.resolver';

export const RESOLVERS = [ServiceAccountResolver, UserResolver, ProviderResolver, IdempotencyRecordResolver, ViewerResolver] as const;

let cached: Promise<GraphQLSchema> | undefined;

/** Built once per process: type-graphql's metadata is global. */
export function gatewaySchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({ resolvers: RESOLVERS, validate: false, emitSchemaFile: false });
  return cached;
}

/** The SDL committed as schema/schema.graphql. */
export async function schemaSdl(): Promise<string> {
  return `${printSchema(await gatewaySchema())}\n`;
}
