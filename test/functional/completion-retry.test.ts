import { randomBytes } from 'node:crypto';
import type { AuditEvent, CompleteOptions, Completion, RecordRef } from '../../src/domain';
import { ServiceUnavailableError } from '../../src/errors/gateway.error';
import type { Caller } from '../../src/identity/identity.service';
import { RedisIdempotencyStore } from '../../src/idempotency/redis.store';
import { capturedLogger } from '../helpers/captured.logger';
import { FakeAdapter, fakeIdentityService } from '../helpers/fake.adapter';

/**
 * The real Redis store, whose first `complete` fails as a Redis blip right after the providers were
 * called does: the record must still end with the outcome the client was given, and the attempt's audit
 * event must be kept (src/identity/completion.retrier.ts).
 */
class BlipOnFirstComplete extends RedisIdempotencyStore {
  failures = 1;
  override async complete(ref: RecordRef, owner: string, c: Completion, audit: AuditEvent, options?: CompleteOptions): Promise<boolean> {
    if (this.failures-- > 0) throw new ServiceUnavailableError('redis blip', { cause: 'redis unavailable' });
    return super.complete(ref, owner, c, audit, options);
  }
}

/** Its first `complete` lands in Redis, but the reply is lost (a stalled connection, a timeout): the caller sees an error. */
class ReplyLostOnFirstComplete extends RedisIdempotencyStore {
  failures = 1;
  override async complete(ref: RecordRef, owner: string, c: Completion, audit: AuditEvent, options?: CompleteOptions): Promise<boolean> {
    const landed = await super.complete(ref, owner, c, audit, options);
    if (this.failures-- > 0) throw new ServiceUnavailableError('reply lost', { cause: 'redis unavailable' });
    return landed;
  }
}

function caller(): { caller: Caller; text: () => string } {
  const { logger, text } = capturedLogger();
  return { caller: { clientId: 'client-1', requestId: 'req-1', logger }, text };
}

describe('a completion the store refused is written on a later try', () => {
  const stores: RedisIdempotencyStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  function setup(delays: readonly number[], Store: typeof BlipOnFirstComplete | typeof ReplyLostOnFirstComplete = BlipOnFirstComplete) {
    const store = new Store({
      url: process.env.REDIS_URL!,
      commandTimeoutMs: 1000,
      keyPrefix: `idgw-test-retry-${randomBytes(4).toString('hex')}:`,
      ttlSeconds: 3600,
      leaseSeconds: 30,
      audit: { retentionSeconds: 86400, maxEvents: 1000 },
    });
    stores.push(store);
    const adapter = new FakeAdapter('a');
    const service = fakeIdentityService(store, [adapter], { completionRetryDelaysMs: delays });
    return { store, adapter, service };
  }

  const until = async (check: () => Promise<boolean>) => {
    for (const started = Date.now(); Date.now() - started < 5_000; await new Promise((r) => setTimeout(r, 20))) if (await check()) return;
    throw new Error('not within 5 s');
  };

  it('the record ends completed with the answered outcome, its audit event is kept, and a repeat is CONFLICT', async () => {
    const { store, adapter, service } = setup([50, 100]);
    const log = caller();
    const ref: RecordRef = { clientId: 'client-1', operation: 'createServiceAccount', key: 'blip-1' };
    const out = await service.create('createServiceAccount', log.caller, { name: 'deploy-bot', status: 'ACTIVE', idempotencyKey: 'blip-1' });
    expect(out.results[0]).toMatchObject({ kind: 'created', credentials: [{ secret: 'secret-of-a' }] });
    // Right after the answer the store had refused the completion: the record is still in progress.
    expect((await store.get([ref]))[0]).toMatchObject({ state: 'in_progress' });
    expect(log.text()).toMatch(/"retrying":true.*could not record idempotency outcome/);

    await until(async () => (await store.get([ref]))[0]?.state === 'completed');
    expect((await store.get([ref]))[0]).toMatchObject({ state: 'completed', status: 'SUCCEEDED', results: [{ providerId: 'a', kind: 'created' }] });
    const events = (await store.auditEvents({ first: 100, filter: {} })).events.filter((e) => e.idempotencyKey === 'blip-1');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 'SUCCEEDED', targets: [{ providerId: 'a', result: 'CREATED' }] });
    expect(log.text()).toContain('idempotency outcome recorded on a later try');

    // The retry of the client is answered from the record, without calling the provider again.
    await expect(service.create('createServiceAccount', log.caller, { name: 'deploy-bot', status: 'ACTIVE', idempotencyKey: 'blip-1' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(adapter.sends).toBe(1);
  });

  it('tries go on past the listed delays (the last one repeats): a Cluster failover outlasts them, and the record must not stay in progress', async () => {
    const { store, service } = setup([20, 40]);
    store.failures = 6;
    const log = caller();
    const ref: RecordRef = { clientId: 'client-1', operation: 'createServiceAccount', key: 'long-outage' };
    await service.create('createServiceAccount', log.caller, { name: 'long-bot', status: 'ACTIVE', idempotencyKey: 'long-outage' });
    expect((await store.get([ref]))[0]).toMatchObject({ state: 'in_progress' });
    await until(async () => (await store.get([ref]))[0]?.state === 'completed');
    expect(log.text()).toContain('"attempt":6');
    expect(log.text()).not.toContain('may not have been recorded');
  });

  it('a try that landed but whose reply was lost: the retry counts it as recorded, and the attempt is audited once', async () => {
    const { store, service } = setup([50, 100], ReplyLostOnFirstComplete);
    const log = caller();
    const ref: RecordRef = { clientId: 'client-1', operation: 'createServiceAccount', key: 'lost-reply' };
    await service.create('createServiceAccount', log.caller, { name: 'third-bot', status: 'ACTIVE', idempotencyKey: 'lost-reply' });
    expect((await store.get([ref]))[0]).toMatchObject({ state: 'completed', status: 'SUCCEEDED' });
    await until(async () => log.text().includes('idempotency outcome recorded on a later try'));
    expect(log.text()).not.toContain('took the record over');
    const events = (await store.auditEvents({ first: 100, filter: {} })).events.filter((e) => e.idempotencyKey === 'lost-reply');
    expect(events).toHaveLength(1);
  });

  it('at shutdown a completion still waiting gets its last try at once, before the store closes', async () => {
    const { store, service } = setup([60_000]);
    const ref: RecordRef = { clientId: 'client-1', operation: 'createServiceAccount', key: 'blip-2' };
    await service.create('createServiceAccount', caller().caller, { name: 'other-bot', status: 'ACTIVE', idempotencyKey: 'blip-2' });
    expect((await store.get([ref]))[0]).toMatchObject({ state: 'in_progress' });
    await service.flushCompletions(Date.now() + 5_000);
    expect((await store.get([ref]))[0]).toMatchObject({ state: 'completed', status: 'SUCCEEDED' });
  });

  it('at shutdown a store that still refuses is tried again until the deadline: Redis back within the grace gets the outcome recorded', async () => {
    const { store, service } = setup([100]);
    store.failures = 4; // the create's own completion, then three tries of the shutdown
    const log = caller();
    const ref: RecordRef = { clientId: 'client-1', operation: 'createServiceAccount', key: 'blip-3' };
    await service.create('createServiceAccount', log.caller, { name: 'late-bot', status: 'ACTIVE', idempotencyKey: 'blip-3' });
    await service.flushCompletions(Date.now() + 10_000);
    expect((await store.get([ref]))[0]).toMatchObject({ state: 'completed', status: 'SUCCEEDED' });
    expect(log.text()).toContain('idempotency outcome recorded on a later try');
    expect(log.text()).not.toContain('may not have been recorded');
  });

  it('at shutdown a store that refuses past the deadline: the flush ends, and the log says the outcome may not have been recorded', async () => {
    const { store, service } = setup([100]);
    store.failures = 1_000;
    const log = caller();
    const ref: RecordRef = { clientId: 'client-1', operation: 'createServiceAccount', key: 'blip-4' };
    await service.create('createServiceAccount', log.caller, { name: 'lost-bot', status: 'ACTIVE', idempotencyKey: 'blip-4' });
    await service.flushCompletions(Date.now() + 500);
    expect((await store.get([ref]))[0]).toMatchObject({ state: 'in_progress' });
    expect(log.text()).toMatch(/"attempt":[3-9].*idempotency outcome may not have been recorded: the store never confirmed it/);
  });
});
