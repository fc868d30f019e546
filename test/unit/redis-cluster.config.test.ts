import { ConfigError } from '../../src/config/config.error';
import { resolveConfig } from '../../src/config/config.loader';

const provider = { id: 'hoop-prod', kind: 'hoop', baseUrl: 'https://use.hoop.dev/api', tokenEnv: 'HOOP_TOKEN' };
const HMAC = 'k'.repeat(32);

function problems(raw: unknown, env: Record<string, string> = { HOOP_TOKEN: 't', IDEMPOTENCY_HMAC_KEY: HMAC }): string[] {
  try {
    resolveConfig(raw, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('redis.cluster configuration', () => {
  it('accepts seed node URLs (TLS and credentials included) with the usual defaults', () => {
    const nodes = ['rediss://app:s%40cret@10.0.0.1:6380', 'rediss://app:s%40cret@10.0.0.2:6380'];
    const cfg = resolveConfig({ redis: { cluster: { nodes } }, providers: [provider] }, { HOOP_TOKEN: 't', IDEMPOTENCY_HMAC_KEY: HMAC });
    expect(cfg.redis).toEqual({ cluster: { nodes }, keyPrefix: 'idgw:', commandTimeoutMs: 500 });
  });

  it('exactly one of url and cluster, and the problem is listed with the others', () => {
    const both = problems({ redis: { url: 'redis://a:6379', cluster: { nodes: ['redis://b:6379'] } }, server: { port: -1 }, providers: [provider] });
    expect(both).toEqual(expect.arrayContaining([expect.stringMatching(/^redis: set exactly one of redis\.url/), expect.stringMatching(/^server\.port: /)]));
    expect(problems({ redis: { keyPrefix: 'x:' }, providers: [provider] })).toEqual([expect.stringMatching(/^redis: set exactly one/)]);
  });

  it('every node is a redis(s) URL, at least one, all with the same scheme and credentials', () => {
    expect(problems({ redis: { cluster: { nodes: [] } }, providers: [provider] })).toEqual(['redis.cluster.nodes: list at least one seed node']);
    const found = problems({ redis: { cluster: { nodes: ['redis://a:1', 'http://b:2', 'rediss://c:3', 'redis://u:p@d:4'] } }, providers: [provider] });
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^redis\.cluster\.nodes\.1: must be a redis/)]));
  });

  it('mixed schemes or credentials are refused', () => {
    const found = problems({ redis: { cluster: { nodes: ['redis://a:1', 'rediss://c:3', 'redis://u:p@d:4'] } }, providers: [provider] });
    expect(found).toEqual([
      expect.stringMatching(/^redis\.cluster\.nodes\.1: every node URL must use the same scheme/),
      expect.stringMatching(/^redis\.cluster\.nodes\.2: every node URL must use the same scheme/),
    ]);
  });

  it("REDIS_CLUSTER_NODES selects the cluster over the file's url; REDIS_URL selects standalone over the file's cluster", () => {
    const env = { HOOP_TOKEN: 't', IDEMPOTENCY_HMAC_KEY: HMAC };
    const fromEnv = resolveConfig(
      { redis: { url: 'redis://file:6379', keyPrefix: 'p:' }, providers: [provider] },
      { ...env, REDIS_CLUSTER_NODES: 'redis://a:7000, redis://b:7001' },
    );
    expect(fromEnv.redis).toEqual({ cluster: { nodes: ['redis://a:7000', 'redis://b:7001'] }, keyPrefix: 'p:', commandTimeoutMs: 500 });
    const back = resolveConfig({ redis: { cluster: { nodes: ['redis://a:7000'] } }, providers: [provider] }, { ...env, REDIS_URL: 'redis://r:6379' });
    expect(back.redis).toMatchObject({ url: 'redis://r:6379' });
    expect(back.redis?.cluster).toBeUndefined();
    expect(problems({ providers: [provider] }, { ...env, REDIS_URL: 'redis://r:1', REDIS_CLUSTER_NODES: 'redis://a:1' })).toEqual([
      expect.stringMatching(/^redis: set exactly one/),
    ]);
  });

  it('IDEMPOTENCY_HMAC_KEY is required with a cluster as with Redis', () => {
    expect(problems({ redis: { cluster: { nodes: ['redis://a:7000'] } }, providers: [provider] }, { HOOP_TOKEN: 't' })).toEqual([
      expect.stringMatching(/^redis: IDEMPOTENCY_HMAC_KEY/),
    ]);
  });
});
