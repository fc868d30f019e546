import { z } from 'zod';
import { PROVIDER_MODULES } from '../providers/provider.registry';
import type { ProviderModule } from '../providers/provider.module';
import type { ProviderConfigBase, ProviderConfigInput } from './provider-base.schema';
import { attemptBudgetMs, LEASE_SLACK_MS, RETRY_POLICY, worstCaseCallMs } from './retry.policy';
import { clientPolicySchema, connectionFields, jwtSchema, limitsSchema, scopeSchema } from './security.schema';
import { isLoopbackAddress } from '../server/loopback.host';

/** One provider entry: the union of every module's own schema, told apart by `kind`. */
function providerConfigSchema(modules: readonly ProviderModule[]) {
  const [first, ...rest] = modules.map((m) => m.configSchema as unknown as z.ZodObject<{ kind: z.ZodLiteral<string> }>);
  return z.discriminatedUnion('kind', [first, ...rest]) as unknown as z.ZodType<ProviderConfigBase, ProviderConfigInput>;
}

// Parsed with WHATWG URL so a password with reserved characters must be percent-encoded, as Redis URLs expect.
// One check, one message: a value that is no Redis URL is one problem, not two.
const isRedisUrl = (u: string) => /^rediss?:\/\//.test(u) && URL.canParse(u) && new URL(u).hostname !== '';
const redisUrl = z
  .string()
  .refine(isRedisUrl, 'must be a redis://[user:password@]host:port URL (rediss:// for TLS)')
  .refine((u) => !isRedisUrl(u) || redisDatabase(u) !== undefined, 'the path after host:port must be a database number (redis://host:port/2) or nothing');

/**
 * The database a Redis URL selects: its path (`/2`), else a `db` query parameter (as ioredis reads them), 0 when it
 * names none; undefined when either is not a number (ioredis would quietly use database 0).
 */
function redisDatabase(url: string): number | undefined {
  const u = new URL(url);
  const fromPath = u.pathname.replace(/^\//, '');
  const fromQuery = u.searchParams.get('db');
  if (![fromPath, fromQuery ?? ''].every((d) => /^\d{0,9}$/.test(d))) return undefined;
  // The path first, as ioredis reads them.
  return Number(fromPath || fromQuery || 0);
}

/** Scheme and credentials: one Cluster connects to every node with the same ones. */
function connectionIdentity(url: string): string {
  if (!URL.canParse(url)) return url;
  const u = new URL(url);
  return `${u.protocol}${u.username}:${u.password}`;
}

/** The configuration file's schema, for a list of provider modules (by default the registry's). */
export function configSchemaFor(modules: readonly ProviderModule[]) {
  return z
    .strictObject({
      server: z
        .strictObject({
          port: z.number().int().min(0).max(65535).default(4000),
          host: z.string().min(1).default('127.0.0.1'),
          maxBodyBytes: z
            .number()
            .int()
            .min(1024)
            .max(64 * 1024 * 1024)
            .default(1_048_576),
          /** Default true; false under NODE_ENV=production when the file says nothing (config.loader.ts). */
          introspection: z.boolean().default(true),
          maxTargetsPerMutation: z.number().int().min(1).max(64).default(16),
          /** Create fields (aliases counted) one GraphQL operation may hold. */
          maxCreatesPerOperation: z.number().int().min(1).max(16).default(1),
          /** How long in-flight requests get after SIGTERM; must exceed every provider's worst-case call (checked below). */
          shutdownGraceMs: z.number().int().min(0).max(120_000).default(15_000),
          /** GraphiQL on GET /; off whenever introspection is off. */
          playground: z.boolean().default(true),
          cors: z
            .strictObject({
              origins: z
                .array(z.string().refine(isExactOrigin, 'must be an exact origin like https://app.example.com (scheme://host[:port], no path, no *)'))
                .max(100)
                .default([]),
            })
            .prefault({}),
          ...connectionFields, // security: connection caps and timeouts
          limits: limitsSchema, // security: per-request query limits
        })
        .prefault({}),
      redis: z
        .strictObject({
          url: redisUrl.optional(),
          /** Seed nodes of a Redis Cluster; the other nodes are discovered. */
          cluster: z.strictObject({ nodes: z.array(redisUrl).min(1, 'list at least one seed node') }).optional(),
          keyPrefix: z.string().min(1).max(64).default('idgw:'),
          commandTimeoutMs: z.number().int().min(50).max(5000).default(500),
        })
        .superRefine((r, ctx) => {
          if ((r.url === undefined) === (r.cluster === undefined)) {
            ctx.addIssue({
              code: 'custom',
              path: [],
              message: 'set exactly one of redis.url (REDIS_URL) and redis.cluster.nodes (REDIS_CLUSTER_NODES)',
            });
          }
          // Only URLs that parse are compared: one that does not is its own problem already.
          const nodes = r.cluster?.nodes ?? [];
          const first = nodes[0] && isRedisUrl(nodes[0]) ? connectionIdentity(nodes[0]) : undefined;
          nodes.forEach((n, i) => {
            if (isRedisUrl(n) && (redisDatabase(n) ?? 0) !== 0) {
              ctx.addIssue({ code: 'custom', path: ['cluster', 'nodes', i], message: 'a Redis Cluster has only database 0: leave the path out' });
            }
            if (first && isRedisUrl(n) && connectionIdentity(n) !== first) {
              ctx.addIssue({
                code: 'custom',
                path: ['cluster', 'nodes', i],
                message: 'every node URL must use the same scheme (redis/rediss) and credentials as the first',
              });
            }
          });
        })
        .optional(),
      idempotency: z
        .strictObject({
          ttlSeconds: z
            .number()
            .int()
            .min(60)
            .max(30 * 86400)
            .default(86400),
          leaseSeconds: z.number().int().min(1).max(3600).default(30),
          /** The in-memory store's bound (no Redis): least recently used completed records go first. */
          memoryMaxRecords: z.number().int().min(100).max(10_000_000).default(100_000),
        })
        .prefault({}),
      /** The audit trail: a Redis Stream (a bounded ring without Redis), trimmed by age and by count. */
      audit: z
        .strictObject({
          retentionSeconds: z
            .number()
            .int()
            .min(60)
            .max(366 * 86400)
            .default(30 * 86400),
          maxEvents: z.number().int().min(100).max(100_000_000).default(100_000),
        })
        .prefault({}),
      clients: z
        .array(
          z.strictObject({
            id: z
              .string()
              .min(1)
              .max(100)
              .refine((id) => id !== 'anonymous', 'is reserved for unauthenticated callers'),
            keySha256: z
              .string()
              .regex(
                /^[0-9a-f]{64}$/,
                'must be the lower-case hex SHA-256 of the API key: 64 characters, nothing else (sha256sum prints "  -" after them: | cut -d" " -f1)',
              ),
            scopes: z.array(scopeSchema).min(1),
            policy: clientPolicySchema.optional(),
          }),
        )
        .min(1)
        .optional(),
      providers: z.array(providerConfigSchema(modules)).min(1, 'configure at least one provider'),
      jwt: jwtSchema.optional(),
    })
    .superRefine((cfg, ctx) => {
      const seen = new Set<string>();
      cfg.providers.forEach((p, i) => {
        if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['providers', i, 'id'], message: `duplicate provider id "${p.id}"` });
        seen.add(p.id);
        const worst = worstCaseCallMs(p.timeoutMs);
        const commandTimeoutMs = cfg.redis?.commandTimeoutMs;
        const needed = attemptBudgetMs(p.timeoutMs, commandTimeoutMs);
        if (cfg.idempotency.leaseSeconds * 1000 <= needed) {
          ctx.addIssue({
            code: 'custom',
            path: ['idempotency', 'leaseSeconds'],
            message:
              `must exceed provider "${p.id}" deadline plus retries (${worst} ms)` +
              (commandTimeoutMs === undefined ? '' : `, the Redis round trips before the call (3 × ${commandTimeoutMs} ms)`) +
              ` and ${LEASE_SLACK_MS} ms of slack: more than ${needed} ms, or a live request could lose its lease to a retry`,
          });
        }
        // On SIGTERM the drain cuts connections and then Redis closes once the grace is over: a call still running,
        // or its outcome still being recorded, would lose the answer with the account's one-time credentials.
        if (cfg.server.shutdownGraceMs <= needed) {
          ctx.addIssue({
            code: 'custom',
            path: ['server', 'shutdownGraceMs'],
            message:
              `${cfg.server.shutdownGraceMs} ms does not cover provider "${p.id}": its worst-case call time is ${worst} ms ` +
              `(timeoutMs ${p.timeoutMs} plus ${RETRY_POLICY.maxRetries} connect retries with jitter)` +
              (commandTimeoutMs === undefined ? '' : `, then recording the outcome in Redis (3 × ${commandTimeoutMs} ms)`) +
              ` and ${LEASE_SLACK_MS} ms of slack, so a create in flight at shutdown ` +
              `could be cut off after that provider created the account, losing its one-time credentials; ` +
              `set server.shutdownGraceMs above ${needed} (and the orchestrator's stop timeout above that) or lower providers.${i}.timeoutMs`,
          });
        }
      });
      const ids = new Set<string>();
      // One key, one client: the authenticator takes the first match, so a second client's key would authenticate as the first.
      const keyOwner = new Map<string, string>();
      cfg.clients?.forEach((c, i) => {
        if (ids.has(c.id)) ctx.addIssue({ code: 'custom', path: ['clients', i, 'id'], message: `duplicate client id "${c.id}"` });
        ids.add(c.id);
        const owner = keyOwner.get(c.keySha256);
        if (owner !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['clients', i, 'keySha256'], message: `client "${c.id}" has the same API key as client "${owner}"` });
        } else keyOwner.set(c.keySha256, c.id);
      });
      if (!cfg.clients && !cfg.jwt && !isLoopbackAddress(cfg.server.host)) {
        ctx.addIssue({
          code: 'custom',
          path: ['server', 'host'],
          message: 'without `clients` or `jwt` the gateway has no authentication and may only listen on loopback (127.0.0.1, ::1, localhost)',
        });
      }
      if (cfg.server.requestTimeoutMs < cfg.server.headersTimeoutMs) {
        ctx.addIssue({ code: 'custom', path: ['server', 'requestTimeoutMs'], message: 'must be at least server.headersTimeoutMs' });
      }
      checkPolicies(cfg, modules, ctx);
    });
}

export const configSchema = configSchemaFor(PROVIDER_MODULES);

/** An origin as a browser sends it in `Origin`: scheme, host, optional port; no path, no wildcard. */
export function isExactOrigin(value: string): boolean {
  if (value.includes('*')) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

type PolicyLike = { providers?: readonly string[]; allow?: Readonly<Record<string, unknown>> };

/** A policy naming a provider id or a privilege field that does not exist is a typo that would silently deny (or allow) too much. */
function checkPolicies(
  cfg: {
    providers: ReadonlyArray<{ id: string }>;
    clients?: ReadonlyArray<{ policy?: PolicyLike }>;
    jwt?: { policies: readonly PolicyLike[]; defaultPolicy?: PolicyLike };
  },
  modules: readonly ProviderModule[],
  ctx: z.RefinementCtx,
): void {
  const ids = new Set(cfg.providers.map((p) => p.id));
  const fields = new Map(modules.flatMap((m) => (m.privileges ?? []).map((p) => [p.field, p] as const)));
  const check = (policy: PolicyLike | undefined, path: Array<string | number>) => {
    policy?.providers?.forEach((id, i) => {
      if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: [...path, 'providers', i], message: `unknown provider id "${id}"` });
    });
    for (const [field, values] of Object.entries(policy?.allow ?? {})) {
      const privilege = fields.get(field);
      if (!privilege) {
        ctx.addIssue({ code: 'custom', path: [...path, 'allow', field], message: `not a privilege field; one of: ${[...fields.keys()].join(', ')}` });
        continue;
      }
      const valid = privilege.value;
      (Array.isArray(values) ? values : []).forEach((v, j) => {
        if (valid && !valid.schema.safeParse(v).success) {
          ctx.addIssue({ code: 'custom', path: [...path, 'allow', field, j], message: `${JSON.stringify(v)} is not a value of ${field}: ${valid.rule}` });
        }
      });
    }
  };
  cfg.clients?.forEach((c, i) => check(c.policy, ['clients', i, 'policy']));
  cfg.jwt?.policies.forEach((p, i) => check(p, ['jwt', 'policies', i]));
  check(cfg.jwt?.defaultPolicy, ['jwt', 'defaultPolicy']);
}

export type GatewayConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
