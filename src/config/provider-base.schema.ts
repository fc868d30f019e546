import { z } from 'zod';
import { NAME_SLUG } from '../domain';

/** What a `tokenEnv` must look like: anything else is likely the token itself, pasted in (never echoed). */
export const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** A URL without a user or password (a URL the schema refuses for another reason passes here: one problem each). */
export function holdsNoCredentials(u: string): boolean {
  return !URL.canParse(u) || (new URL(u).username === '' && new URL(u).password === '');
}

/** Per-provider circuit breaker (docs/providers.md, "Circuit breaker"). */
export interface BreakerConfig {
  readonly enabled: boolean;
  /** Calls within the rolling window before the breaker may open at all. */
  readonly failureThreshold: number;
  /** Share of those calls that must be outages (per cent) for it to open. */
  readonly errorThresholdPercentage: number;
  readonly rollingWindowMs: number;
  /** How long it stays open before one trial call is let through. */
  readonly resetTimeoutMs: number;
}

export const BREAKER_DEFAULTS: BreakerConfig = Object.freeze({
  enabled: true,
  failureThreshold: 5,
  errorThresholdPercentage: 50,
  rollingWindowMs: 10_000,
  resetTimeoutMs: 30_000,
});

const breakerSchema = z
  .strictObject({
    enabled: z.boolean().default(BREAKER_DEFAULTS.enabled),
    failureThreshold: z.number().int().min(1).max(10_000).default(BREAKER_DEFAULTS.failureThreshold),
    errorThresholdPercentage: z.number().min(1).max(100).default(BREAKER_DEFAULTS.errorThresholdPercentage),
    rollingWindowMs: z.number().int().min(1000).max(3_600_000).default(BREAKER_DEFAULTS.rollingWindowMs),
    resetTimeoutMs: z.number().int().min(100).max(3_600_000).default(BREAKER_DEFAULTS.resetTimeoutMs),
  })
  .prefault({});

/** The fields every provider entry has, whatever its kind; a provider module adds `kind`, `defaults` and its own. */
export const providerBase = {
  id: z.string().regex(NAME_SLUG, `must be a slug like billing-prod (${NAME_SLUG.source})`),
  // The adapters build each call's URL from the origin and path alone: a user, password, query or fragment
  // here would be dropped without a word (a key in `?api_key=` never sent), so it is refused instead.
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .refine(holdsNoCredentials, {
      error: 'must not hold a user or password (they would never be sent): the token goes in the variable named by tokenEnv',
    })
    .refine((u) => !URL.canParse(u) || (new URL(u).search === '' && new URL(u).hash === ''), {
      error: 'must not have a query or fragment (they would never be sent): give the API base path only',
    }),
  tokenEnv: z.string().regex(ENV_NAME, 'must be the NAME of an environment variable holding the token'),
  timeoutMs: z.number().int().min(100).max(120_000).default(5000),
  breaker: breakerSchema,
};

/** A list of short names (groups, roles, permissions) in provider `defaults`. */
export const nameList = z.array(z.string().min(1).max(200)).max(50);

/** One provider entry as written in the file (before defaults). */
export interface ProviderConfigInput {
  id: string;
  kind: string;
  baseUrl: string;
  tokenEnv: string;
  timeoutMs?: number;
  breaker?: Partial<BreakerConfig>;
  defaults?: Record<string, unknown>;
  [field: string]: unknown;
}

/** One parsed provider entry, as the rest of the gateway sees it; its module knows the rest of its shape. */
export interface ProviderConfigBase {
  readonly id: string;
  readonly kind: string;
  readonly baseUrl: string;
  readonly tokenEnv: string;
  readonly timeoutMs: number;
  readonly breaker: BreakerConfig;
  readonly defaults: Readonly<Record<string, unknown>>;
}
