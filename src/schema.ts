import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { locateRootFieldErrors } from './errors/field-error.locator';
import { addProviderOptionFields } from './graphql/common/provider-options.fields';
import { IdempotencyRecordResolver } from './graphql/idempotency/idempotency-record.resolver';
import { PlanResolver } from './graphql/plan/plan.resolver';
import { AuditResolver } from './graphql/audit/audit.resolver';
import { registerProviderKinds } from './graphql/provider/provider-kind.enum';
import { ProviderResolver } from './graphql/provider/provider.resolver';
import { CreateServiceAccountInput } from './graphql/service-account/service-account.input';
import { ServiceAccountResolver } from './graphql/service-account/service-account.resolver';
import { CreateUserInput } from './graphql/user/user.input';
import { UserResolver } from './graphql/user/user.resolver';
import { ViewerResolver } from './graphql/viewer/viewer.resolver';
import { PROVIDER_MODULES } from './providers/provider.registry';
import type { ProviderModule } from './providers/provider.module';

export const RESOLVERS = [
  ServiceAccountResolver,
  UserResolver,
  PlanResolver,
  ProviderResolver,
  IdempotencyRecordResolver,
  AuditResolver,
  ViewerResolver,
] as const;

let cached: { modules: readonly ProviderModule[]; schema: Promise<GraphQLSchema> } | undefined;

/**
 * Built once per process (type-graphql's metadata is global), for one list
 * of provider modules: their kinds make the ProviderKind enum and their
 * option types the per-kind fields of the create inputs.
 */
export function gatewaySchema(modules: readonly ProviderModule[] = PROVIDER_MODULES): Promise<GraphQLSchema> {
  if (cached && cached.modules !== modules) throw new Error('the schema of this process was already built for another list of provider modules');
  if (!cached) {
    registerProviderKinds(modules.map((m) => m.kind));
    addProviderOptionFields(
      modules.map((m) => ({ kind: m.kind, description: m.description, ...m.graphql })),
      { serviceAccount: CreateServiceAccountInput, user: CreateUserInput },
    );
    cached = { modules, schema: buildSchema({ resolvers: RESOLVERS, validate: false, emitSchemaFile: false }).then(locateRootFieldErrors) };
  }
  return cached.schema;
}

/** The SDL committed as schema/schema.graphql. */
export async function schemaSdl(): Promise<string> {
  return `${printSchema(await gatewaySchema())}\n`;
}
