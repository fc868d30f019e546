import { randomBytes } from 'node:crypto';
import { CREATE_SA } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';
import { CountingProxy } from '../helpers/tcp.proxy';
import { capturedLogger } from '../helpers/captured.logger';
import { RedisIdempotencyStore } from '../../src/idempotency/redis.store';
import { AUDIT } from '../helpers/audit.fixture';

/**
 * A half-open path to Redis: the gateway's connection stays open but goes
 * silent (a proxy takes its bytes and never answers), while a new connection
 * would work. The gateway must drop the silent connection and connect again,
 * by itself, within a few seconds — not when the kernel gives up on it.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const target = () => new URL(process.env.REDIS_URL!);

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  return undefined;
}

describe('a half-open Redis connection (open, silent) is dropped and made again', () => {
  describe('through the gateway', () => {
    let proxy: CountingProxy;
    let h: Harness;
    const readyz = async () => (await fetch(h.url.replace('/graphql', '/readyz'))).status;
    beforeAll(async () => {
      proxy = await new CountingProxy(Number(target().port || 6379), target().hostname).start();
      // redis.commandTimeoutMs: the default 500 ms, so a connection silent for 1.5 s is dropped.
      h = await startHarness({ redis: true, redisUrl: `redis://127.0.0.1:${proxy.port}` });
    });
    afterAll(async () => {
      await h.close();
      await proxy.stop();
    });

    it('answers SERVICE_UNAVAILABLE during the stall, then creates again and is ready, without a restart', async () => {
      expect((await h.gql(CREATE_SA, { input: { name: uniqueName('ho'), providers: ['hoop'] } })).body.data.createServiceAccount.status).toBe('SUCCEEDED');
      expect(await readyz()).toBe(200);
      const acceptedBefore = proxy.accepted;
      expect(proxy.stallCurrent()).toBe(1);
      const stalledAt = Date.now();

      const name = uniqueName('stalled');
      const down = await h.gql(CREATE_SA, { input: { name, providers: ['hoop'] } });
      expect(down.status).toBe(503);
      expect(down.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      expect(Date.now() - stalledAt).toBeLessThan(2000);
      expect(await readyz()).toBe(503);

      const ready = await until(async () => ((await readyz()) === 200 ? Date.now() : undefined), 10_000);
      expect(ready).toBeDefined();
      // Silent for 3 command timeouts (1.5 s), then a reconnect 50 ms later: a few seconds, not ~15 minutes.
      expect(ready! - stalledAt).toBeLessThan(5000);
      const back = await h.gql(CREATE_SA, { input: { name: uniqueName('back'), providers: ['hoop'] } });
      expect(back.body.data.createServiceAccount.status).toBe('SUCCEEDED');
      // The refused create was never sent upstream; the same gateway made one new connection.
      expect(h.sandboxes.hoop.received('POST /serviceaccounts').filter((c) => (c.body as { name: string }).name === name)).toEqual([]);
      expect(proxy.stalledOpen).toBe(0);
      expect(proxy.accepted).toBe(acceptedBefore + 1);
      // The gateway's own log has the outage and the recovery, once each.
      const lines = h.logs().split('\n');
      expect(lines.filter((l) => l.includes('Redis connection lost'))).toHaveLength(1);
      expect(lines.filter((l) => l.includes('Redis connection back'))).toHaveLength(1);
    });
  });

  describe('the store, with its log', () => {
    const password = `pw-${randomBytes(6).toString('hex')}`;
    let proxy: CountingProxy;
    let store: RedisIdempotencyStore;
    const log = capturedLogger();
    let forwarded = '';
    let warn: jest.SpyInstance;
    const lines = log.lines;
    const ref = () => ({ clientId: 'c', operation: 'createServiceAccount' as const, key: uniqueName('half-open') });
    const pingOk = () =>
      store.ping().then(
        () => Date.now(),
        () => undefined,
      );

    beforeAll(async () => {
      // A URL with a password (this Redis has none: ioredis warns on the console that it is not needed, and goes on).
      warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      proxy = await new CountingProxy(Number(target().port || 6379), target().hostname).start();
      proxy.onForward = (d) => (forwarded += d.toString('latin1'));
      store = new RedisIdempotencyStore({
        ttlSeconds: 600,
        leaseSeconds: 30,
        url: `redis://:${password}@127.0.0.1:${proxy.port}`,
        keyPrefix: `idgw-half-open-${randomBytes(3).toString('hex')}:`,
        commandTimeoutMs: 300,
        audit: { retentionSeconds: 600, maxEvents: 100 },
        logger: log.logger,
      });
      await store.ping();
    });
    afterAll(async () => {
      await store.close();
      await proxy.stop();
      warn.mockRestore();
    });

    it('fails closed while silent, recovers in a few seconds, never sends the timed-out claim again, and logs the outage and the recovery once each', async () => {
      const r = ref();
      const fp = `fp-${randomBytes(8).toString('hex')}`;
      expect(proxy.stallCurrent()).toBe(1);
      const stalledAt = Date.now();
      await expect(store.claim(r, fp, ['hoop'])).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      await expect(store.ping()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });

      const back = await until(pingOk, 8000);
      expect(back).toBeDefined();
      // Silent for max(3 × 300 ms, 1 s), checked every 150 ms, then a reconnect 50 ms later.
      expect(back! - stalledAt).toBeLessThan(3000);
      expect((await store.claim(r, fp, ['hoop'])).kind).toBe('claimed');

      await sleep(500);
      // The timed-out claim reached Redis neither on the silent connection nor, resent, on the new one.
      expect(forwarded.split(fp).length - 1).toBe(1);
      const warnings = lines().filter((l) => l.level >= 40);
      const lost = warnings.filter((l) => /^Redis connection lost/.test(l.msg));
      const recovered = warnings.filter((l) => /^Redis connection back/.test(l.msg));
      expect(lost).toHaveLength(1);
      expect(lost[0]).toMatchObject({ level: 40, redis: `127.0.0.1:${proxy.port}` });
      expect(lost[0].reason).toMatch(/no reply from Redis for \d+ ms with commands waiting/);
      expect(recovered).toHaveLength(1);
      expect(recovered[0].level).toBe(40);
      expect(warnings).toHaveLength(2);
      expect(log.text()).not.toContain(password);
      expect(log.text()).not.toContain('redis://');
    });

    it("a claim still in a cut connection's buffer, landing after its give-back found nothing to undo, is given back again (not left in progress for a lease)", async () => {
      const r = ref();
      const fp = `fp-${randomBytes(8).toString('hex')}`;
      proxy.holdCurrent();
      const claim = store.claim(r, fp, ['hoop']);
      await sleep(50);
      // The connection is cut with the claim in Redis's socket buffer: it fails at once, and its RELEASE goes out
      // on the next connection, runs first and finds nothing.
      proxy.cutHeldClients();
      await expect(claim).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(await until(pingOk, 5000)).toBeDefined();
      await sleep(150);
      // Redis reads the cut connection's buffer: the claim lands, after its give-back.
      proxy.releaseHeld();
      expect(await until(async () => ((await store.get([r]))[0]?.state === 'in_progress' ? true : undefined), 1000)).toBe(true);
      // Given back by a later try of the RELEASE (0.2 s, then 1 s, ...), not after the 30 s lease.
      expect(await until(async () => ((await store.get([r]))[0] ? undefined : true), 5000)).toBe(true);
      expect((await store.claim(r, fp, ['hoop'])).kind).toBe('claimed');
    });

    it("a completion cut with its bytes still in Redis's socket buffer, retried on the next connection, then landing late: the attempt is audited once", async () => {
      const r = ref();
      const claim = await store.claim(r, `fp-${randomBytes(8).toString('hex')}`, ['hoop']);
      if (claim.kind !== 'claimed') throw new Error(claim.kind);
      const completion = {
        status: 'SUCCEEDED' as const,
        results: [{ providerId: 'hoop', kind: 'created' as const, entity: { id: 'a', name: 'n' } }],
        release: [],
        keep: [],
      };
      const event = { ...AUDIT, at: new Date().toISOString(), requestId: `late-${r.key}`, idempotencyKey: r.key };
      proxy.holdCurrent();
      const first = store.complete(r, claim.owner, completion, event);
      await sleep(50);
      proxy.cutHeldClients();
      await expect(first).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(await until(pingOk, 5000)).toBeDefined();
      // The completion retrier's try, on the new connection, runs first and appends the event.
      expect(await store.complete(r, claim.owner, completion, event, { retry: true, auditOnRetry: 'unknown' })).toBe(true);
      // Then Redis reads the cut connection's buffer: the first try's COMPLETE and append run after it.
      const sentBefore = forwarded.split(event.requestId).length - 1;
      proxy.releaseHeld();
      await sleep(300);
      // The held first try did reach Redis (its event's bytes went through once more), after the retry.
      expect(forwarded.split(event.requestId).length - 1).toBe(sentBefore + 1);
      const audited = (await store.auditEvents({ first: 100, filter: {} })).events.filter((e) => e.idempotencyKey === r.key);
      expect(audited.map((e) => e.requestId)).toEqual([event.requestId]);
      expect((await store.get([r]))[0]?.state).toBe('completed');
    });

    it('a claim whose connection is cut is not sent again on the next connection (autoResendUnfulfilledCommands off)', async () => {
      const r = ref();
      const fp = `fp-${randomBytes(8).toString('hex')}`;
      const before = proxy.clientWrites;
      proxy.cutAfter(0); // the next write (the claim) is dropped and the connection cut
      const claim = store.claim(r, fp, ['hoop']);
      while (proxy.clientWrites === before) await sleep(2);
      proxy.reset(); // new connections get through again: ioredis reconnects 50 ms later
      await expect(claim).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(await until(pingOk, 5000)).toBeDefined();
      await sleep(300);
      expect(forwarded).not.toContain(fp);
      expect((await store.claim(r, fp, ['hoop'])).kind).toBe('claimed');
      expect(forwarded.split(fp).length - 1).toBe(1);
    });
  });
});
