import { z } from 'zod';
import { worstCaseCallMs } from './retry.policy';

const slug = /^[a-z][a-z0-9._-]{0,62}$/;
const envName = /^[A-Z_][A-Z0-9_]*$/;

const providerBase = {
  id: z.string().regex(slug, 'must be a slug like hoop-prod (^[a-z][a-z0-9._-]{0,62}$)'),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  tokenEnv: z.string().regex(envName, 'must be the NAME of an environment variable holding the token'),
  timeoutMs: z.number().int().min(100).max(120_000).default(5000),
};
const strings = z.array(z.string().min(1).max(200)).max(50);
const rootRole = z.union([z.number().int().positive(), z.enum(['Admin', 'Editor', 'Viewer'])]);

const hoopProvider = z.strictObject({
  ...providerBase,
  kind: z.literal('hoop'),
  defaults: z.strictObject({ groups: strings.optional() }).prefault({}),
});
const unleashProvider = z.strictObject({
  ...providerBase,
  kind: z.literal('unleash'),
  /** open-source servers have no service-account API: say so and the gateway will not call it. */
  edition: z.enum(['enterprise', 'oss']).default('enterprise'),
  defaults: z.strictObject({ rootRole: rootRole.optional() }).prefault({}),
});
const versoriProvider = z.strictObject({
  ...providerBase,
  kind: z.literal('versori'),
  defaults: z.strictObject({ organisationId: z.string().min(1).max(200).optional(), roles: strings.optional() }).prefault({}),
});
const genericProvider = z.strictObject({
  ...providerBase,
  kind: z.literal('generic'),
  defaults: z.strictObject({ permissions: strings.min(1).optional() }).prefault({}),
});

export const providerConfigSchema = z.discriminatedUnion('kind', [hoopProvider, unleashProvider, versoriProvider, genericProvider]);

export const configSchema = z
  .strictObject({
    server: z
      .strictObject({
        port: z.number().int().min(0).max(65535).default(4000),
        host: z.string().min(1).default('127.0.0.1'),
        maxBodyBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1_048_576),
        introspection: z.boolean().default(true),
        maxTargetsPerMutation: z.number().int().min(1).max(64).default(16),
        shutdownGraceMs: z.number().int().min(0).max(120_000).default(10_000),
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
      })
      .prefault({}),
    redis: z
      .strictObject({
        url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
        keyPrefix: z.string().min(1).max(64).default('idgw:'),
        commandTimeoutMs: z.number().int().min(50).max(5000).default(500),
      })
      .optional(),
    idempotency: z
      .strictObject({
        ttlSeconds: z.number().int().min(60).max(30 * 86400).default(86400),
        leaseSeconds: z.number().int().min(1).max(3600).default(30),
      })
      .prefault({}),
    clients: z
      .array(
        z.strictObject({
          id: z.string().min(1).max(100),
          keySha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the lower-case hex SHA-256 of the API key'),
          scopes: z.array(z.enum(['identity:read', 'identity:write'])).min(1),
        }),
      )
      .min(1)
      .optional(),
    providers: z.array(providerConfigSchema).min(1, 'configure at least one provider'),
    // DESIGN §7's JWT clients are not built yet: say so rather than "unrecognized key".
    jwt: z.unknown().refine(() => false, 'JWT client authentication is not available in this version; use `clients` (API keys)').optional(),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.providers.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['providers', i, 'id'], message: `duplicate provider id "${p.id}"` });
      seen.add(p.id);
      const worst = worstCaseCallMs(p.timeoutMs);
      if (cfg.idempotency.leaseSeconds * 1000 <= worst) {
        ctx.addIssue({
          code: 'custom',
          path: ['idempotency', 'leaseSeconds'],
          message: `must exceed provider "${p.id}" deadline plus retries (${worst} ms), or a live request could lose its lease to a retry`,
        });
      }
    });
    const ids = new Set<string>();
    cfg.clients?.forEach((c, i) => {
      if (ids.has(c.id)) ctx.addIssue({ code: 'custom', path: ['clients', i, 'id'], message: `duplicate client id "${c.id}"` });
      ids.add(c.id);
    });
    if (!cfg.clients && !isLoopback(cfg.server.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['server', 'host'],
        message: 'without `clients` the gateway has no authentication and may only listen on loopback (127.0.0.1, ::1, localhost)',
      });
    }
  });

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

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export type GatewayConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type ProviderConfig = z.output<typeof providerConfigSchema>;
export type ProviderKind = ProviderConfig['kind'];
