import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config.error';
import { resolveConfig } from '../../src/config/config.loader';
import { attemptBudgetMs, worstCaseCallMs } from '../../src/config/retry.policy';
import { spawnGateway } from '../helpers/process.harness';

const provider = { id: 'hoop-prod', kind: 'hoop', baseUrl: 'https://use.hoop.dev/api', tokenEnv: 'HOOP_TOKEN' };
const slow = { id: 'slow-partner', kind: 'generic', baseUrl: 'https://partner.example.com', tokenEnv: 'PARTNER_TOKEN', timeoutMs: 20_000 };
const ENV = { HOOP_TOKEN: 't', PARTNER_TOKEN: 'p' };

function problems(raw: unknown, env: Record<string, string> = ENV): Array<{ path: string; message: string }> {
  try {
    resolveConfig(raw, env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

/**
 * On SIGTERM, connections are cut and Redis is closed once server.shutdownGraceMs is over. A provider call
 * still running then creates the account with no client to answer and no record of it: the one-time
 * credentials are lost and a retry gets CONFLICT. So the grace must exceed every provider's worst-case call,
 * and then the Redis round trip that records its outcome before the answer is written (a review cut answers
 * with a grace of 6 300 ms over a 6 200 ms worst case and a stalled Redis), and some slack.
 */
describe('server.shutdownGraceMs must cover the slowest provider call and the recording of its outcome', () => {
  const REDIS_ENV = { ...ENV, IDEMPOTENCY_HMAC_KEY: 'k'.repeat(32) };

  it('the defaults pass: default timeoutMs (5000, worst case 9200 ms) and Redis (3 × 500 ms) under the default grace (15000 ms)', () => {
    const cfg = resolveConfig({ providers: [provider] }, ENV);
    expect(cfg.server.shutdownGraceMs).toBe(15_000);
    expect(cfg.providers[0].timeoutMs).toBe(5000);
    expect(worstCaseCallMs(5000)).toBe(9200);
    expect(attemptBudgetMs(5000, 500)).toBe(11_200);
    expect(problems({ redis: { url: 'redis://r:6379' }, providers: [provider] }, REDIS_ENV)).toEqual([]);
  });

  it("with Redis the outcome's round trip counts: 9200 + 3 × 500 + 500 ms, strict at the boundary", () => {
    const raw = (shutdownGraceMs: number) => ({ server: { shutdownGraceMs }, redis: { url: 'redis://r:6379' }, providers: [provider] });
    const [p] = problems(raw(11_200), REDIS_ENV);
    expect(p.path).toBe('server.shutdownGraceMs');
    expect(p.message).toMatch(/worst-case call time is 9200 ms .*, then recording the outcome in Redis \(3 × 500 ms\) and 500 ms of slack/);
    expect(p.message).toMatch(/set server\.shutdownGraceMs above 11200 /);
    expect(problems(raw(11_201), REDIS_ENV)).toEqual([]);
  });

  it('refuses timeoutMs 20000 with the default grace, naming the provider, its worst case, the setting and the fix', () => {
    const found = problems({ providers: [provider, slow] });
    expect(found).toHaveLength(1);
    const [p] = found;
    expect(p.path).toBe('server.shutdownGraceMs');
    expect(p.message).toContain('"slow-partner"');
    expect(p.message).not.toContain('hoop-prod');
    expect(p.message).toContain(`${worstCaseCallMs(20_000)} ms`);
    expect(worstCaseCallMs(20_000)).toBe(24_200);
    expect(p.message).toContain('15000 ms');
    expect(p.message).toMatch(/set server\.shutdownGraceMs above 24700 .* or lower providers\.1\.timeoutMs/);
  });

  it('the error is thrown as a ConfigError whose text names the path', () => {
    expect(() => resolveConfig({ providers: [slow] }, ENV)).toThrow(/server\.shutdownGraceMs: 15000 ms does not cover provider "slow-partner"/);
  });

  it('is strict at the boundary, like the lease rule: without Redis the grace must exceed the worst case and the slack', () => {
    const needed = attemptBudgetMs(20_000, undefined);
    expect(needed).toBe(worstCaseCallMs(20_000) + 500);
    expect(problems({ server: { shutdownGraceMs: needed }, providers: [slow] }).map((p) => p.path)).toEqual(['server.shutdownGraceMs']);
    expect(problems({ server: { shutdownGraceMs: needed + 1 }, providers: [slow] })).toEqual([]);
  });

  it('a shorter grace is refused for the default timeout too, and accepted for a provider fast enough', () => {
    expect(problems({ server: { shutdownGraceMs: 5000 }, providers: [provider] }).map((p) => p.path)).toEqual(['server.shutdownGraceMs']);
    // 1000 ms: 1000 + 2 × (1000 + 100) = 3200 ms, and 500 ms of slack.
    expect(problems({ server: { shutdownGraceMs: 5000 }, providers: [{ ...provider, timeoutMs: 1000 }] })).toEqual([]);
  });

  it('one problem per provider that does not fit, each naming its own id and index', () => {
    const raw = { idempotency: { leaseSeconds: 60 }, providers: [slow, provider, { ...slow, id: 'slower', timeoutMs: 30_000 }] };
    const found = problems(raw);
    expect(found.map((p) => p.path)).toEqual(['server.shutdownGraceMs', 'server.shutdownGraceMs']);
    expect(found.map((p) => p.message.match(/provider "([^"]+)"/)?.[1])).toEqual(['slow-partner', 'slower']);
    expect(found[1].message).toContain(`${worstCaseCallMs(30_000)} ms`);
    expect(found[1].message).toContain('providers.2.timeoutMs');
  });

  it('a gateway started with such a file exits with code 2 and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idgw-grace-'));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(
      file,
      'providers:\n  - id: slow-partner\n    kind: generic\n    baseUrl: https://partner.example.com\n    tokenEnv: PARTNER_TOKEN\n    timeoutMs: 20000\n',
    );
    const gw = spawnGateway({ GATEWAY_CONFIG: file, PARTNER_TOKEN: 'secret-partner-token' });
    expect(await gw.exited).toBe(2);
    expect(gw.output()).toContain('server.shutdownGraceMs');
    expect(gw.output()).toContain('"slow-partner"');
    expect(gw.output()).not.toContain('secret-partner-token');
  });
});
