import { z } from 'zod';
import { NAME_SLUG } from '../domain';

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** The fields every provider entry has, whatever its kind; a provider module adds `kind`, `defaults` and its own. */
export const providerBase = {
  id: z.string().regex(NAME_SLUG, `must be a slug like billing-prod (${NAME_SLUG.source})`),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  tokenEnv: z.string().regex(ENV_NAME, 'must be the NAME of an environment variable holding the token'),
  timeoutMs: z.number().int().min(100).max(120_000).default(5000),
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
  readonly defaults: Readonly<Record<string, unknown>>;
}
