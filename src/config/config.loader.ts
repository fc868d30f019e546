import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem } from './config.error';
import { logSettingsProblems } from './log.settings';
import type { ProviderModule } from '../providers/provider.module';
import { ENV_NAME } from './provider-base.schema';
import { configSchema, configSchemaFor, type GatewayConfigInput, type ParsedConfig } from './config.schema';

export interface GatewayConfig extends ParsedConfig {
  /** Tokens resolved from `tokenEnv`, by provider id. Never logged. */
  readonly providerTokens: Readonly<Record<string, string>>;
  /** Key of the HMAC that hides secrets inside idempotency fingerprints. */
  readonly idempotencyHmacKey?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads GATEWAY_CONFIG (YAML or JSON; YAML is a superset of JSON). */
export function loadConfigFile(path: string, env: Env = process.env): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '', message: `cannot read ${path}: ${(err as Error).message}` }]);
  }
  let raw: unknown;
  try {
    const doc = parseDocument(text);
    // Warnings too (an unknown tag such as `!secret`): the value would be read as plain text, and the parser's
    // own report of them goes to process warnings with the offending line.
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw problem;
    raw = doc.toJS();
  } catch (err) {
    throw new ConfigError([{ path: '', message: `cannot read ${path}: ${withoutQuotedSource((err as Error).message)}` }]);
  }
  return resolveConfig(raw, env);
}

/**
 * The yaml parser's messages go on to quote the offending lines, and some name a value (`Unresolved alias …:
 * <name>`); either may be a secret written inline (a Redis URL's password). What is shown is where.
 */
function withoutQuotedSource(message: string): string {
  return message
    .split('\n')[0]
    .replace(/:\s*$/, '')
    .replace(/: .*?((?: at line \d+, column \d+)?)$/, '$1');
}

/**
 * Validates once, applies environment overrides, resolves secrets, freezes.
 * Every problem is reported at once (fastify-style), never the first only.
 */
export function resolveConfig(raw: unknown, env: Env = process.env, modules?: readonly ProviderModule[]): GatewayConfig {
  const input = applyEnvOverrides(raw, env);
  const parsed = (modules ? configSchemaFor(modules) : configSchema).safeParse(input);
  // The secrets the environment must hold are checked whatever the schema found: every problem in one run.
  const secrets = secretsFromEnv(parsed.success ? parsed.data : input, env);
  const problems: ConfigProblem[] = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: fromEnv(i.path.join('.'), i.message, env) }))),
    ...logSettingsProblems(env),
    ...secrets.problems,
  ];
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  return deepFreeze({ ...parsed.data, providerTokens: secrets.providerTokens, idempotencyHmacKey: secrets.hmacKey });
}

/**
 * Provider tokens (`tokenEnv`) and the idempotency HMAC key, from the environment. Reads the config as far as
 * it can when the schema refused it (the schema reports what is wrong with the entries themselves).
 */
function secretsFromEnv(cfg: unknown, env: Env): { problems: ConfigProblem[]; providerTokens: Record<string, string>; hmacKey: string | undefined } {
  const problems: ConfigProblem[] = [];
  const providerTokens: Record<string, string> = {};
  const { providers, redis } = (cfg ?? {}) as { providers?: unknown; redis?: unknown };
  (Array.isArray(providers) ? providers : []).forEach((p: unknown, i) => {
    const { id, tokenEnv } = (p ?? {}) as { id?: unknown; tokenEnv?: unknown };
    // Only a variable's name is named back: a value the schema refused may be the token itself, pasted in.
    if (typeof tokenEnv !== 'string' || !ENV_NAME.test(tokenEnv)) return;
    const token = env[tokenEnv];
    const unfit = token ? headerValueProblem(token) : 'is not set';
    if (token && !unfit) providerTokens[String(id)] = token;
    else problems.push({ path: `providers.${i}.tokenEnv`, message: `environment variable ${tokenEnv} ${unfit ?? ''}` });
  });
  const hmacKey = env.IDEMPOTENCY_HMAC_KEY;
  if (redis && (!hmacKey || hmacKey.length < 16)) {
    problems.push({
      path: 'redis',
      message: 'IDEMPOTENCY_HMAC_KEY (at least 16 characters, the same on every replica) is required with Redis',
    });
  }
  return { problems, providerTokens, hmacKey: hmacKey || undefined };
}

/**
 * A token goes into the Authorization header as is. undici refuses a control character (a secret file's trailing
 * newline) or one above U+00FF on every call (UND_ERR_INVALID_ARG), and a server trims surrounding spaces, so the
 * token compared is not the one configured: refused at start instead. Says why, never what the value is.
 */
function headerValueProblem(value: string): string | undefined {
  if (/^\s|\s$|\p{Cc}/u.test(value)) return 'must not contain whitespace at either end or control characters (a trailing newline from a secret file?)';
  if (/[\u0100-\u{10ffff}]/u.test(value)) return 'must contain only characters an HTTP header can carry (none above U+00FF)';
  return undefined;
}

/** A problem with a value an environment variable set names the variable: the file may not even have the key. */
function fromEnv(path: string, message: string, env: Env): string {
  if (path === 'server.port' && env.PORT !== undefined) {
    return `${message} (from PORT=${JSON.stringify(env.PORT)}: a port number, 1–65535, or 0 for any free port)`;
  }
  // A URL is not echoed: it may hold a password.
  if (path === 'redis.url' && env.REDIS_URL) return `${message} (from REDIS_URL)`;
  if (path === 'redis.keyPrefix' && env.REDIS_KEY_PREFIX !== undefined) return `${message} (from REDIS_KEY_PREFIX)`;
  if (path.startsWith('redis.cluster.nodes') && env.REDIS_CLUSTER_NODES) return `${message} (from REDIS_CLUSTER_NODES)`;
  if (path.startsWith('server.cors.origins') && env.CORS_ORIGINS !== undefined) return `${message} (from CORS_ORIGINS)`;
  return message;
}

function applyEnvOverrides(raw: unknown, env: Env): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const out = { ...(raw as GatewayConfigInput & Record<string, unknown>) };
  if (env.PORT !== undefined) {
    // Only digits are a number: Number('') is 0 and Number('0x50') is 80.
    out.server = { ...(out.server ?? {}), port: (/^\d+$/.test(env.PORT) ? Number(env.PORT) : env.PORT) as number };
  }
  if (env.CORS_ORIGINS !== undefined) {
    const server = (out.server ?? {}) as Record<string, unknown>;
    const origins = env.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean);
    out.server = { ...server, cors: { ...((server.cors as object | undefined) ?? {}), origins } } as GatewayConfigInput['server'];
  }
  // Each variable selects its mode and drops the file's other one; both set is reported by the schema.
  const redis: Record<string, unknown> = { ...((out.redis as Record<string, unknown> | undefined) ?? {}) };
  if (env.REDIS_URL || env.REDIS_CLUSTER_NODES) {
    delete redis.url;
    delete redis.cluster;
    if (env.REDIS_URL) redis.url = env.REDIS_URL;
    if (env.REDIS_CLUSTER_NODES) {
      redis.cluster = {
        nodes: env.REDIS_CLUSTER_NODES.split(',')
          .map((n) => n.trim())
          .filter(Boolean),
      };
    }
    out.redis = redis as GatewayConfigInput['redis'];
  }
  // Only with a Redis (from the file or the variables): a prefix alone configures none.
  if (env.REDIS_KEY_PREFIX !== undefined && out.redis) out.redis = { ...out.redis, keyPrefix: env.REDIS_KEY_PREFIX };
  // Introspection (and with it the playground) is on in development and off in production unless the file
  // says otherwise: Apollo Server's own default, and the design contract's "on in dev".
  const server = (out.server ?? {}) as Record<string, unknown>;
  if (env.NODE_ENV === 'production' && server.introspection === undefined) {
    out.server = { ...server, introspection: false } as GatewayConfigInput['server'];
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
