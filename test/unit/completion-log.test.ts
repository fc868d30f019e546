import Redis from 'ioredis';
import type { AuditEvent, Completion, RecordRef } from '../../src/domain';
import type { Caller } from '../../src/identity/identity.service';
import { RedisIdempotencyStore } from '../../src/idempotency/redis.store';
import { capturedLogger, type LogLine } from '../helpers/captured.logger';
import { FakeAdapter, fakeIdentityService } from '../helpers/fake.adapter';
import { RecordingStore } from '../helpers/recording.store';

/**
 * Claim and guards succeed; the completion goes to a Redis store that is already closed, as on a
 * shutdown that outlived its grace: the real error the Redis store throws, whose message is the
 * client's answer for a create that never started ("… sent nothing to any provider").
 */
class ClosedRedisOnComplete extends RecordingStore {
  readonly redis = new RedisIdempotencyStore(
    {
      url: 'redis://127.0.0.1:1',
      commandTimeoutMs: 50,
      keyPrefix: 'idgw-test:',
      ttlSeconds: 3600,
      leaseSeconds: 30,
      audit: { retentionSeconds: 86400, maxEvents: 1000 },
    },
    new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 }),
  );

  override async complete(ref: RecordRef, owner: string, completion: Completion, audit: AuditEvent): Promise<boolean> {
    this.completions.push(completion);
    return this.redis.complete(ref, owner, completion, audit);
  }

  override async close(): Promise<void> {
    await this.redis.close();
    await super.close();
  }
}

function capture(): { caller: Caller; lines: () => LogLine[]; text: () => string } {
  const { logger, text, lines } = capturedLogger();
  return { caller: { clientId: 'client-1', requestId: 'req-1', logger }, text, lines };
}

describe('the log line of a completion the store could not record', () => {
  const stores: RecordingStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  it('names the error by class, code and cause, never with the client wording that claims nothing was sent', async () => {
    const store = new ClosedRedisOnComplete();
    stores.push(store);
    await store.redis.close();
    const a = new FakeAdapter('a');
    const service = fakeIdentityService(store, [a]);
    const log = capture();

    const out = await service.create('createServiceAccount', log.caller, { name: 'deploy-bot', status: 'ACTIVE' });

    // The provider was called and its credentials are still answered: the store error never loses them.
    expect(a.sends).toBe(1);
    expect(out.results[0]).toMatchObject({ kind: 'created', credentials: [{ secret: 'secret-of-a' }] });

    const line = log.lines().find((l) => String(l.msg).startsWith('could not record idempotency outcome'));
    expect(line).toBeDefined();
    expect(line).toMatchObject({
      level: 50,
      errorClass: 'ServiceUnavailableError',
      code: 'SERVICE_UNAVAILABLE',
      cause: 'redis unavailable',
      operation: 'createServiceAccount',
      status: 'SUCCEEDED',
      providersCalled: 1,
    });
    const raw = JSON.stringify(line);
    expect(raw).not.toContain('sent nothing');
    expect(raw).not.toContain('did nothing');
    expect(raw).not.toContain('secret-of-a');
    // Nowhere in the whole log either (the audit line is logged just before).
    expect(log.text()).not.toContain('sent nothing');
    expect(log.text()).not.toContain('secret-of-a');
  });

  it('an error that is no client answer (a plain Error) is logged with its own message as the cause', async () => {
    const plain = new RecordingStore();
    stores.push(plain);
    plain.failNext = 'complete';
    const service = fakeIdentityService(plain, [new FakeAdapter('a')]);
    const log = capture();
    await service.create('createServiceAccount', log.caller, { name: 'deploy-bot', status: 'ACTIVE' });
    const line = log.lines().find((l) => String(l.msg).startsWith('could not record idempotency outcome'));
    expect(line).toMatchObject({ errorClass: 'Error', cause: 'store complete failed', providersCalled: 1 });
  });
});
