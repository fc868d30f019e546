import pino from 'pino';
import type { InputProblem, Operation, ProviderAdapter, TargetOutcome, TargetResult } from '../../src/domain';
import { BadUserInputError, ConflictError, IdempotencyKeyReusedError } from '../../src/errors/gateway.error';
import { IdentityService, overallStatus, type Caller, type CreateRequest } from '../../src/identity/identity.service';
import { ProviderHealthBook } from '../../src/identity/provider-health.book';
import { created, failed, FakeAdapter } from '../helpers/fake.adapter';
import { RecordingStore } from '../helpers/recording.store';

const caller: Caller = { clientId: 'client-1', requestId: 'req-1', logger: pino({ level: 'silent' }) };
const stores: RecordingStore[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

interface Setup {
  adapters?: ProviderAdapter[];
  hmacKey?: string;
  maxTargets?: number;
  validateOptions?: (operation: Operation, options: Readonly<Record<string, unknown>>) => InputProblem[];
  now?: () => number;
}

function setup({
  adapters = [new FakeAdapter('a'), new FakeAdapter('b')],
  hmacKey = 'unit-test-hmac-key',
  maxTargets = 16,
  validateOptions = () => [],
  now,
}: Setup = {}) {
  const store = new RecordingStore(now);
  stores.push(store);
  const health = new ProviderHealthBook();
  const service = new IdentityService({ kinds: [{ kind: 'fake', validateOptions }], adapters, store, health, hmacKey, maxTargets });
  return { service, store, health };
}

type SaRequest = CreateRequest<'createServiceAccount'> & { readonly fake?: Record<string, unknown> | null };
const sa = (extra: SaRequest = {}): CreateRequest<'createServiceAccount'> => ({ name: 'deploy-bot', status: 'ACTIVE', ...extra });
const create = (service: IdentityService, input: CreateRequest<'createServiceAccount'>, who: Caller = caller) =>
  service.create('createServiceAccount', who, input);

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

const ids = (results: readonly TargetResult[]) => results.map((r) => r.providerId);

describe('planning', () => {
  it('results follow config order whatever order the client lists', async () => {
    const [a, b, c] = [new FakeAdapter('a'), new FakeAdapter('b'), new FakeAdapter('c')];
    const { service } = setup({ adapters: [a, b, c] });
    const out = await create(service, sa({ providers: ['c', 'a'] }));
    expect(ids(out.results)).toEqual(['a', 'c']);
    expect([a.sends, b.sends, c.sends]).toEqual([1, 0, 1]);
  });

  it('without a list, every provider that can do the operation is a target', async () => {
    const a = new FakeAdapter('a');
    const saOnly = new FakeAdapter('sa-only', { operations: ['createServiceAccount'] });
    const { service } = setup({ adapters: [a, saOnly] });
    const out = await service.create('createUser', caller, { email: 'pat@example.com', status: 'ACTIVE' });
    expect(ids(out.results)).toEqual(['a']);
    expect(saOnly.specs).toEqual([]);
  });

  it('unknown ids are refused naming only what was sent; nothing is claimed or called', async () => {
    const [a, secret] = [new FakeAdapter('a'), new FakeAdapter('internal-billing')];
    const { service, store } = setup({ adapters: [a, secret] });
    const err = await rejection(create(service, sa({ providers: ['a', 'nope', 'other'] })));
    expect(err).toBeInstanceOf(BadUserInputError);
    expect((err as BadUserInputError).problems).toEqual([{ field: 'providers', message: 'unknown provider id(s): "nope", "other"' }]);
    expect(err.message).not.toContain('internal-billing');
    expect(store.claims).toEqual([]);
    expect(a.sends).toBe(0);
  });

  it('an empty list is refused; so is a list past maxTargets; so is an operation no provider can do', async () => {
    const { service } = setup({ adapters: [new FakeAdapter('a', { operations: ['createServiceAccount'] }), new FakeAdapter('b')], maxTargets: 1 });
    expect(((await rejection(create(service, sa({ providers: [] })))) as BadUserInputError).problems).toEqual([
      { field: 'providers', message: 'must name at least one provider (or be omitted for all that can)' },
    ]);
    expect(((await rejection(create(service, sa({ providers: ['a', 'b'] })))) as BadUserInputError).problems).toEqual([
      { field: 'providers', message: 'at most 1 providers per mutation' },
    ]);
    const { service: none } = setup({ adapters: [new FakeAdapter('a', { operations: ['createServiceAccount'] })] });
    expect(((await rejection(none.create('createUser', caller, { email: 'pat@example.com', status: 'ACTIVE' }))) as BadUserInputError).problems).toEqual([
      { field: 'providers', message: 'no configured provider can createUser' },
    ]);
  });

  it('a target without a preparer for the operation is UNSUPPORTED without a call', async () => {
    const a = new FakeAdapter('a');
    const saOnly = new FakeAdapter('sa-only', { kind: 'versori-like', operations: ['createServiceAccount'] });
    const { service } = setup({ adapters: [a, saOnly] });
    const out = await service.create('createUser', caller, { email: 'pat@example.com', status: 'ACTIVE', providers: ['a', 'sa-only'] });
    expect(out.status).toBe('PARTIAL');
    expect(out.results[1]).toEqual({
      providerId: 'sa-only',
      kind: 'failed',
      failure: { code: 'UNSUPPORTED', message: 'sa-only (versori-like) cannot create users', retryable: false },
    });
    expect(saOnly.sends).toBe(0);
  });

  it('an adapter\'s own "unsupported" is a result, not an error, and nothing is sent for it', async () => {
    const picky = new FakeAdapter('picky', { prepare: () => ({ kind: 'unsupported', message: 'no INACTIVE here' }) });
    const { service } = setup({ adapters: [new FakeAdapter('a'), picky] });
    const out = await create(service, sa({ status: 'INACTIVE' }));
    expect(out.results[1]).toMatchObject({ providerId: 'picky', kind: 'failed', failure: { code: 'UNSUPPORTED', message: 'no INACTIVE here' } });
    expect(picky.sends).toBe(0);
  });

  it("every problem is listed at once, the spec's first; adapters are not asked to prepare an input already wrong", async () => {
    const a = new FakeAdapter('a');
    const { service, store } = setup({ adapters: [a], validateOptions: () => [{ field: 'fake.level', message: 'must be low' }] });
    const err = (await rejection(
      create(service, sa({ name: 'Bad Name', displayName: '', providers: ['a', 'zzz'], idempotencyKey: 'derived:mine', fake: { level: 'high' } } as SaRequest)),
    )) as BadUserInputError;
    expect(err.problems.map((p) => p.field)).toEqual(['name', 'displayName', 'fake.level', 'providers', 'idempotencyKey']);
    expect(err.extensions).toMatchObject({ field: 'name' });
    expect(a.specs).toEqual([]);
    expect(store.claims).toEqual([]);
  });

  it('adapters\' "invalid" results are merged into one error, duplicates once', async () => {
    const missing = { kind: 'invalid' as const, problems: [{ field: 'shared.role', message: 'required' }] };
    const x = new FakeAdapter('x', { prepare: () => missing });
    const y = new FakeAdapter('y', { prepare: () => ({ kind: 'invalid', problems: [{ field: 'y.org', message: 'required' }, ...missing.problems] }) });
    const ok = new FakeAdapter('ok');
    const { service, store } = setup({ adapters: [x, ok, y] });
    const err = (await rejection(create(service, sa()))) as BadUserInputError;
    expect(err.problems).toEqual([
      { field: 'shared.role', message: 'required' },
      { field: 'y.org', message: 'required' },
    ]);
    expect(ok.sends).toBe(0);
    expect(store.claims).toEqual([]);
  });
});

describe('guards of identities an earlier attempt may have created', () => {
  it('a retry of a TIMEOUT asks the store to keep that guard if its guard phase fails: a give-back would free a name that may be taken', async () => {
    const a = new FakeAdapter('a').answer(failed('TIMEOUT'));
    const b = new FakeAdapter('b').answer(failed('BAD_REQUEST', 400));
    const { service, store } = setup({ adapters: [a, b] });
    await create(service, sa({ idempotencyKey: 'k' }));
    expect(store.guardOptions[0]).toMatchObject({ keepOnFailure: [], fresh: true });
    await create(service, sa({ idempotencyKey: 'k' }));
    // Only a (TIMEOUT, retryable) is run again; b's BAD_REQUEST stands.
    expect(store.guards[1]).toEqual([{ providerId: 'a', naturalKey: 'deploy-bot' }]);
    expect(store.guardOptions[1]).toEqual({ keepOnFailure: [{ providerId: 'a', naturalKey: 'deploy-bot' }], fresh: false });
  });
});

describe('natural-key guards', () => {
  it('a name held by another key is CONFLICT without a call, and that guard is not released', async () => {
    const a = new FakeAdapter('a');
    const b = new FakeAdapter('b');
    const { service, store } = setup({ adapters: [a, b] });
    await create(service, sa({ idempotencyKey: 'first', providers: ['a'] }));
    const out = await create(service, sa({ idempotencyKey: 'second' }));
    expect(out.results[0]).toEqual({
      providerId: 'a',
      kind: 'failed',
      failure: { code: 'CONFLICT', message: 'another request (with a different idempotency key) has created or is creating this a identity', retryable: false },
    });
    expect(out.results[1]).toMatchObject({ providerId: 'b', kind: 'created' });
    expect(a.sends).toBe(1);
    expect(store.completions[1]).toMatchObject({ release: [], keep: [{ providerId: 'b', naturalKey: 'deploy-bot' }] });
  });

  it('guards of failures are released, guards of successes kept', async () => {
    const a = new FakeAdapter('a');
    const b = new FakeAdapter('b').answer(failed('BAD_REQUEST', 400));
    const { service, store } = setup({ adapters: [a, b] });
    await create(service, sa({ idempotencyKey: 'k1' }));
    expect(store.guards).toEqual([
      [
        { providerId: 'a', naturalKey: 'deploy-bot' },
        { providerId: 'b', naturalKey: 'deploy-bot' },
      ],
    ]);
    expect(store.completions[0]).toMatchObject({
      status: 'PARTIAL',
      keep: [{ providerId: 'a', naturalKey: 'deploy-bot' }],
      release: [{ providerId: 'b', naturalKey: 'deploy-bot' }],
    });
    // The released name is free for another key; the kept one is not.
    const again = await create(service, sa({ idempotencyKey: 'k2' }));
    expect(again.results.map((r) => (r.kind === 'created' ? 'created' : r.failure.code))).toEqual(['CONFLICT', 'created']);
    expect([a.sends, b.sends]).toEqual([1, 2]);
  });

  it('a store failure while guarding gives the claim back and calls nobody', async () => {
    const a = new FakeAdapter('a');
    const { service, store } = setup({ adapters: [a] });
    store.failNext = 'guard';
    await expect(create(service, sa({ idempotencyKey: 'k' }))).rejects.toThrow('store guard failed');
    expect(a.sends).toBe(0);
    expect(store.releases).toHaveLength(1);
    // The claim was given back: the same request can run now.
    expect((await create(service, sa({ idempotencyKey: 'k' }))).status).toBe('SUCCEEDED');
  });
});

describe('guards held by another attempt of the same key', () => {
  it('a guard phase whose claims landed but whose reply was lost leaves a busy guard; the retry holds the lease and takes it', async () => {
    const a = new FakeAdapter('a').answer(failed('UNAVAILABLE', 503));
    const { service, store } = setup({ adapters: [a] });
    expect((await create(service, sa({ idempotencyKey: 'k' }))).results[0]).toMatchObject({ kind: 'failed', failure: { retryable: true } });
    store.failNext = 'guard-landed';
    await expect(create(service, sa({ idempotencyKey: 'k' }))).rejects.toThrow('store guard failed');
    expect(a.sends).toBe(1);
    // Not "another attempt is creating it" for the lease's whole length: that attempt gave its claim back.
    const retry = await create(service, sa({ idempotencyKey: 'k' }));
    expect(retry.status).toBe('SUCCEEDED');
    expect(a.sends).toBe(2);
    expect(store.guardOptions.at(-1)).toMatchObject({ leaseHeld: true });
  });

  it('an attempt that outlived its lease wakes while the takeover is calling: it sends nothing, CONFLICT in progress', async () => {
    let clock = 1_000_000;
    let finishTakeover!: () => void;
    const takeoverCalling = new Promise<void>((r) => (finishTakeover = r));
    const a = new FakeAdapter('a').answer(async () => {
      await takeoverCalling;
      return created('a');
    });
    const { service, store } = setup({ adapters: [a], now: () => clock });
    // The first attempt claims, then stalls before its guards, past its lease.
    const guardOf = store.guard.bind(store);
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    let firstCall = true;
    store.guard = async (...args) => {
      if (firstCall) {
        firstCall = false;
        await paused;
      }
      return guardOf(...args);
    };
    const first = create(service, sa({ idempotencyKey: 'k' }));
    await new Promise((r) => setImmediate(r));
    clock += 31_000;
    // The key is taken over; that attempt guards and is still calling the provider when the first wakes up.
    const takeover = create(service, sa({ idempotencyKey: 'k' }));
    for (let i = 0; i < 20 && a.sends === 0; i++) await new Promise((r) => setImmediate(r));
    expect(a.sends).toBe(1);
    resume();
    const err = await rejection(first);
    expect(err).toBeInstanceOf(ConflictError);
    // The same answer as a claim that finds the key in progress, the record's creation time included.
    expect((err as ConflictError).extensions).toMatchObject({ inProgress: true, original: { createdAt: expect.any(String) } });
    finishTakeover();
    expect((await takeover).status).toBe('SUCCEEDED');
    expect(a.sends).toBe(1);
    // Both attempts reached the store: each is audited once, the woken one as refused (in progress).
    expect(store.audits.map((e) => e.status)).toEqual(['IN_PROGRESS', 'SUCCEEDED']);
  });
});

describe('replays and outcomes', () => {
  it('a retry of a PARTIAL calls only the retryable failure; successes replay without credentials; permanent failures stand', async () => {
    const a = new FakeAdapter('a');
    const b = new FakeAdapter('b').answer(failed('UNAVAILABLE', 503));
    const c = new FakeAdapter('c').answer(failed('BAD_REQUEST', 400));
    const { service } = setup({ adapters: [a, b, c] });
    const first = await create(service, sa({ idempotencyKey: 'k' }));
    expect(first.status).toBe('PARTIAL');
    expect(first.results[0]).toMatchObject({ kind: 'created', replayed: false, credentials: [{ secret: 'secret-of-a' }] });

    const retry = await create(service, sa({ idempotencyKey: 'k' }));
    expect([a.sends, b.sends, c.sends]).toEqual([1, 2, 1]);
    expect(retry.results[0]).toEqual({ providerId: 'a', kind: 'created', entity: { id: 'a-1', name: 'deploy-bot' }, credentials: [], replayed: true });
    expect(retry.results[1]).toMatchObject({ providerId: 'b', kind: 'created', replayed: false, credentials: [{ secret: 'secret-of-b' }] });
    expect(retry.results[2]).toEqual({
      providerId: 'c',
      kind: 'failed',
      failure: { code: 'BAD_REQUEST', message: 'upstream BAD_REQUEST', retryable: false, httpStatus: 400 },
    });
    expect(retry.status).toBe('PARTIAL');
    expect(JSON.stringify(retry)).not.toContain('secret-of-a');
  });

  it('replays count as created: a retry that fixes the last failure is SUCCEEDED, and then the key is done', async () => {
    const a = new FakeAdapter('a');
    const b = new FakeAdapter('b').answer(failed('RATE_LIMITED', 429));
    const { service } = setup({ adapters: [a, b] });
    await create(service, sa({ idempotencyKey: 'k' }));
    expect((await create(service, sa({ idempotencyKey: 'k' }))).status).toBe('SUCCEEDED');
    expect(await rejection(create(service, sa({ idempotencyKey: 'k' })))).toBeInstanceOf(ConflictError);
    expect([a.sends, b.sends]).toEqual([1, 2]);
  });

  it('overall status: UNSUPPORTED counts as a failure, replays as created', () => {
    const made = (replayed: boolean): TargetResult => ({ providerId: 'p', kind: 'created', entity: { id: '1' }, credentials: [], replayed });
    const unsupported: TargetResult = { providerId: 'q', kind: 'failed', failure: { code: 'UNSUPPORTED', message: 'm', retryable: false } };
    expect(overallStatus([made(false), made(true)])).toBe('SUCCEEDED');
    expect(overallStatus([made(true), unsupported])).toBe('PARTIAL');
    expect(overallStatus([unsupported])).toBe('FAILED');
  });

  it("a send() that throws is INTERNAL, not retryable, and counts against the provider's health", async () => {
    const a = new FakeAdapter('a').answer(() => Promise.reject(new Error('adapter bug with token=abc')));
    const { service, health } = setup({ adapters: [a] });
    const out = await create(service, sa());
    expect(out).toMatchObject({ status: 'FAILED' });
    expect(out.results[0]).toEqual({
      providerId: 'a',
      kind: 'failed',
      failure: { code: 'INTERNAL', message: 'unexpected gateway error while calling a; the account may have been created', retryable: false },
    });
    expect(health.snapshot('a')).toMatchObject({ state: 'DEGRADED', lastFailureCode: 'INTERNAL' });
  });

  it('a store failure on completion never loses the answer (it holds the only copy of the credentials)', async () => {
    const { service, store } = setup({ adapters: [new FakeAdapter('a')] });
    store.failNext = 'complete';
    const out = await create(service, sa());
    expect(out.results[0]).toMatchObject({ kind: 'created', credentials: [{ secret: 'secret-of-a' }] });
  });

  it('only the entity is recorded, never a credential', async () => {
    const { service, store } = setup({ adapters: [new FakeAdapter('a')] });
    await create(service, sa());
    expect(store.completions[0].results).toEqual([{ providerId: 'a', kind: 'created', entity: { id: 'a-1', name: 'deploy-bot' } }]);
  });

  it('a create where nothing can be called gives its claim back: no record, and a repeat gets the same answer', async () => {
    const v = new FakeAdapter('v', { operations: ['createServiceAccount'] });
    const { service, store } = setup({ adapters: [v] });
    const input = { email: 'pat@example.com', status: 'ACTIVE' as const, providers: ['v'], idempotencyKey: 'k' };
    const out = await service.create('createUser', caller, input);
    expect(out).toEqual({
      idempotencyKey: 'k',
      status: 'FAILED',
      results: [{ providerId: 'v', kind: 'failed', failure: { code: 'UNSUPPORTED', message: 'v (fake) cannot create users', retryable: false } }],
    });
    expect(store.releases).toEqual([{ clientId: 'client-1', operation: 'createUser', key: 'k' }]);
    expect(store.guards).toEqual([]);
    expect(store.completions).toEqual([]);
    expect(await service.getRecords('client-1', [{ key: 'k', operation: 'createUser' }])).toEqual([null]);
    expect(await service.create('createUser', caller, input)).toEqual(out);
  });
});

describe('what the claim decides', () => {
  it('the same key and input after completion is CONFLICT with a summary of the original; nothing is sent', async () => {
    const a = new FakeAdapter('a');
    const b = new FakeAdapter('b').answer(failed('CONFLICT', 409));
    const { service } = setup({ adapters: [a, b] });
    const first = await create(service, sa({ idempotencyKey: 'k' }));
    const err = (await rejection(create(service, sa({ idempotencyKey: 'k' })))) as ConflictError;
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.code).toBe('CONFLICT');
    expect(err.extensions).toEqual({
      idempotencyKey: 'k',
      original: {
        status: first.status,
        createdAt: expect.any(String),
        results: [
          { providerId: 'a', id: 'a-1' },
          { providerId: 'b', code: 'CONFLICT' },
        ],
      },
    });
    expect([a.sends, b.sends]).toEqual([1, 1]);
  });

  it('the same key with another input is IDEMPOTENCY_KEY_REUSED', async () => {
    const { service } = setup();
    await create(service, sa({ idempotencyKey: 'k' }));
    const err = await rejection(create(service, sa({ idempotencyKey: 'k', name: 'other-bot' })));
    expect(err).toBeInstanceOf(IdempotencyKeyReusedError);
    expect((err as IdempotencyKeyReusedError).extensions).toEqual({ idempotencyKey: 'k' });
  });

  it("keys are scoped per client: another client's key of the same name is its own", async () => {
    const { service } = setup({ adapters: [new FakeAdapter('a')] });
    await create(service, sa({ idempotencyKey: 'k', providers: ['a'] }));
    // Not a key conflict; the natural-key guard is what stops a duplicate.
    const other = await create(service, sa({ idempotencyKey: 'k', providers: ['a'] }), { ...caller, clientId: 'client-2' });
    expect(other.results[0]).toMatchObject({ failure: { code: 'CONFLICT' } });
  });

  it('the same key while the first request runs is CONFLICT with inProgress', async () => {
    let finish!: (o: TargetOutcome) => void;
    const a = new FakeAdapter('a').answer(() => new Promise<TargetOutcome>((resolve) => (finish = resolve)));
    const { service } = setup({ adapters: [a] });
    const running = create(service, sa({ idempotencyKey: 'k' }));
    await new Promise((r) => setImmediate(r));
    const err = (await rejection(create(service, sa({ idempotencyKey: 'k' })))) as ConflictError;
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.extensions).toEqual({ idempotencyKey: 'k', inProgress: true, original: { createdAt: expect.any(String) } });
    finish(created('a'));
    expect((await running).status).toBe('SUCCEEDED');
    expect(a.sends).toBe(1);
  });

  it('after a takeover, a provider conflict on a target the dead attempt was calling says it may have made it', async () => {
    let now = Date.UTC(2026, 10, 23);
    const unblock: Array<(o: TargetOutcome) => void> = [];
    const hang = () => new Promise<TargetOutcome>((resolve) => unblock.push(resolve));
    const a = new FakeAdapter('a').answer(hang).answer(failed('CONFLICT', 409));
    const b = new FakeAdapter('b').answer(hang).answer(failed('CONFLICT'));
    const { service } = setup({ adapters: [a, b], now: () => now });
    const dead = create(service, sa({ idempotencyKey: 'k' }));
    await new Promise((r) => setImmediate(r));
    now += 31_000;

    const out = await create(service, sa({ idempotencyKey: 'k' }));
    expect(out.results[0]).toEqual({
      providerId: 'a',
      kind: 'failed',
      failure: {
        code: 'CONFLICT',
        message: 'already exists; an earlier attempt with this idempotency key that did not finish may have created it (upstream CONFLICT)',
        httpStatus: 409,
        retryable: false,
        mayHaveCreated: true,
      },
    });
    // A conflict without an upstream answer (no httpStatus) is not the provider's: it keeps its words, and says
    // what the dead attempt may have done.
    expect(out.results[1]).toMatchObject({
      failure: {
        code: 'CONFLICT',
        message: 'upstream CONFLICT; an earlier attempt with this idempotency key that did not finish may have created it',
        mayHaveCreated: true,
      },
    });

    expect([a.sends, b.sends]).toEqual([2, 2]);

    // The attempt that lost its lease finishing late does not overwrite the takeover's record.
    unblock.forEach((resolve, i) => resolve(created(i === 0 ? 'a' : 'b')));
    await dead;
    const [record] = await service.getRecords('client-1', [{ key: 'k', operation: 'createServiceAccount' }]);
    expect(record?.results.map((r) => (r.kind === 'failed' ? r.failure.code : r.kind))).toEqual(['CONFLICT', 'CONFLICT']);
  });

  it("without a takeover, a provider conflict keeps the provider's words", async () => {
    const { service } = setup({ adapters: [new FakeAdapter('a').answer(failed('CONFLICT', 409))] });
    expect((await create(service, sa())).results[0]).toMatchObject({ failure: { message: 'upstream CONFLICT' } });
  });
});

describe('a provider that does not refuse a duplicate (generic): an unknown outcome is never sent again', () => {
  const NOT_AGAIN = /does not refuse a second create of the same identity, so sending it again could create a second one\. Check a for it/;

  it('a TIMEOUT there is not retryable and says why; a retry of the key is CONFLICT from the record, with no second send', async () => {
    const a = new FakeAdapter('a', { refusesDuplicates: false }).answer(failed('TIMEOUT'));
    const b = new FakeAdapter('b').answer(failed('TIMEOUT'));
    const { service } = setup({ adapters: [a, b] });
    const first = await create(service, sa({ idempotencyKey: 'k' }));
    expect(first.results[0]).toMatchObject({ failure: { code: 'TIMEOUT', retryable: false, mayHaveCreated: true } });
    expect((first.results[0] as { failure: { message: string } }).failure.message).toMatch(/^upstream TIMEOUT; not retryable: /);
    expect((first.results[0] as { failure: { message: string } }).failure.message).toMatch(NOT_AGAIN);
    // A provider with a duplicate check keeps the design contract's rule: retryable, and its 409 answers a second send.
    expect(first.results[1]).toMatchObject({ failure: { code: 'TIMEOUT', retryable: true } });

    await create(service, sa({ idempotencyKey: 'k' }));
    expect([a.sends, b.sends]).toEqual([1, 2]);
  });

  it('after a takeover, a failure of its own that says "nothing was sent" also says the dead attempt may have created it', async () => {
    let now = Date.UTC(2026, 10, 23);
    const a = new FakeAdapter('a')
      .answer(() => new Promise<TargetOutcome>(() => undefined))
      .answer({ kind: 'failed', failure: { code: 'UNAVAILABLE', message: 'a is failing: its circuit breaker is open (nothing was sent)', retryable: true } });
    const { service } = setup({ adapters: [a], now: () => now });
    void create(service, sa({ idempotencyKey: 'k' }));
    await new Promise((r) => setImmediate(r));
    now += 31_000;
    const out = await create(service, sa({ idempotencyKey: 'k' }));
    expect(out.results[0]).toMatchObject({
      failure: {
        code: 'UNAVAILABLE',
        retryable: true,
        mayHaveCreated: true,
        message:
          'a is failing: its circuit breaker is open (nothing was sent); an earlier attempt with this idempotency key that did not finish may have created it',
      },
    });
  });

  it('a failure that proves nothing was created (a 503) stays retryable there, and its retry is sent', async () => {
    const a = new FakeAdapter('a', { refusesDuplicates: false }).answer(failed('UNAVAILABLE', 503));
    const { service } = setup({ adapters: [a] });
    const first = await create(service, sa({ idempotencyKey: 'k', providers: ['a'] }));
    expect(first.results[0]).toMatchObject({ failure: { code: 'UNAVAILABLE', retryable: true, message: 'upstream UNAVAILABLE' } });
    expect((await create(service, sa({ idempotencyKey: 'k', providers: ['a'] }))).status).toBe('SUCCEEDED');
    expect(a.sends).toBe(2);
  });

  it('after a takeover it is not called again (CONFLICT, not retryable, may have created it); a provider with a check is', async () => {
    let now = Date.UTC(2026, 10, 23);
    const hang = () => new Promise<TargetOutcome>(() => undefined);
    const a = new FakeAdapter('a', { refusesDuplicates: false }).answer(hang);
    const b = new FakeAdapter('b').answer(hang);
    const { service } = setup({ adapters: [a, b], now: () => now });
    void create(service, sa({ idempotencyKey: 'k' }));
    await new Promise((r) => setImmediate(r));
    now += 31_000;

    // The plan says what the create will do: a not sent, b called.
    const plan = await service.plan('createServiceAccount', caller, sa({ idempotencyKey: 'k' }));
    expect(plan.targets.map((t) => t.action)).toEqual(['KEEP_FAILURE', 'CALL']);
    expect(plan.targets[0].message).toMatch(NOT_AGAIN);
    const out = await create(service, sa({ idempotencyKey: 'k' }));
    expect(out.results[0]).toMatchObject({
      providerId: 'a',
      failure: { code: 'CONFLICT', retryable: false, mayHaveCreated: true },
    });
    const message = (out.results[0] as { failure: { message: string } }).failure.message;
    expect(message).toMatch(/^an earlier attempt with this idempotency key that did not finish may have created this a identity, and nothing was sent again: /);
    expect(message).toMatch(NOT_AGAIN);
    expect(out.results[1]).toMatchObject({ kind: 'created' });
    expect([a.sends, b.sends]).toEqual([1, 2]);
    expect(out.status).toBe('PARTIAL');
  });

  /**
   * Key x is creating the name on a (no duplicate check); key y's attempt finds a's guard busy (a not sent) and
   * dies calling b; x then fails in a way that proves nothing was created (its guard released) and y's lease ends.
   * `aLater`: what a answers after x's call.
   */
  async function yDiedWhileXHeldTheGuard(aLater: TargetOutcome[] = []) {
    let now = Date.UTC(2026, 10, 23);
    let finishX!: (o: TargetOutcome) => void;
    const a = new FakeAdapter('a', { refusesDuplicates: false }).answer(() => new Promise<TargetOutcome>((resolve) => (finishX = resolve)));
    aLater.forEach((o) => a.answer(o));
    const b = new FakeAdapter('b').answer(() => new Promise<TargetOutcome>(() => undefined));
    const { service } = setup({ adapters: [a, b], now: () => now });
    const x = create(service, sa({ idempotencyKey: 'x', providers: ['a'] }));
    await new Promise((r) => setImmediate(r));
    void create(service, sa({ idempotencyKey: 'y' }));
    await new Promise((r) => setImmediate(r));
    finishX(failed('UNAVAILABLE', 503));
    await x;
    now += 31_000;
    return { service, a, b, later: () => (now += 1_000) };
  }

  it('after a takeover it IS sent when the dead attempt never held its guard (another key had it then): nothing of this key reached it', async () => {
    const { service, a, b } = await yDiedWhileXHeldTheGuard();
    const out = await create(service, sa({ idempotencyKey: 'y' }));
    expect(out.results.map((r) => r.kind)).toEqual(['created', 'created']);
    expect([a.sends, b.sends]).toEqual([2, 2]);
  });

  it('after a takeover, a target whose guard was taken free keeps its own words: a 503 there is retryable, no "earlier attempt" in it', async () => {
    const { service, later } = await yDiedWhileXHeldTheGuard([failed('UNAVAILABLE', 503)]);
    const plan = await service.plan('createServiceAccount', caller, sa({ idempotencyKey: 'y' }));
    expect(plan.targets.map((t) => t.action)).toEqual(['CALL', 'CALL']);
    const out = await create(service, sa({ idempotencyKey: 'y' }));
    expect(out.results[0]).toEqual({
      providerId: 'a',
      kind: 'failed',
      failure: { code: 'UNAVAILABLE', message: 'upstream UNAVAILABLE', retryable: true, httpStatus: 503 },
    });
    // And the retry it invites creates it.
    later();
    const retry = await create(service, sa({ idempotencyKey: 'y' }));
    expect(retry.results[0]).toMatchObject({ kind: 'created' });
  });

  it('a guard left busy by an attempt of this key that sent nothing (its guard phase failed, the give-back lost) is no sign: the retry sends', async () => {
    const a = new FakeAdapter('a', { refusesDuplicates: false });
    const { service, store } = setup({ adapters: [a] });
    store.failNext = 'guard-landed';
    await expect(create(service, sa({ idempotencyKey: 'k', providers: ['a'] }))).rejects.toThrow();
    expect(a.sends).toBe(0);
    const plan = await service.plan('createServiceAccount', caller, sa({ idempotencyKey: 'k', providers: ['a'] }));
    expect(plan.targets[0].action).toBe('CALL');
    const out = await create(service, sa({ idempotencyKey: 'k', providers: ['a'] }));
    expect(out.status).toBe('SUCCEEDED');
    expect(a.sends).toBe(1);
  });

  it('a guard kept by an attempt the record does not know (stalled past its lease, sent, its completion refused) is a sign: not sent again', async () => {
    const a = new FakeAdapter('a', { refusesDuplicates: false }).answer(failed('UNAVAILABLE', 503));
    const { service, store } = setup({ adapters: [a] });
    // The record: a takeover's 503 (nothing created, retryable, guard released)...
    await create(service, sa({ idempotencyKey: 'k', providers: ['a'] }));
    // ...then the stalled first owner wakes, takes the free guard, sends, and keeps it; its completion is refused.
    const ref = { clientId: 'client-1', operation: 'createServiceAccount' as const, key: 'k' };
    const g = { providerId: 'a', naturalKey: 'deploy-bot' };
    expect(await store.inner.guard(ref, 'stalled-owner', [g])).toEqual([true]);
    await store.inner.complete(
      ref,
      'stalled-owner',
      { status: 'SUCCEEDED' as never, results: [], release: [], keep: [g] },
      {
        at: new Date().toISOString(),
        requestId: 'r',
        clientId: 'client-1',
        operation: 'createServiceAccount',
        idempotencyKey: 'k',
        status: 'SUCCEEDED' as never,
        targets: [],
      },
    );

    const plan = await service.plan('createServiceAccount', caller, sa({ idempotencyKey: 'k', providers: ['a'] }));
    expect(plan.targets[0]).toMatchObject({ action: 'KEEP_FAILURE', message: expect.stringMatching(/that did not finish may have created this a identity/) });
    const out = await create(service, sa({ idempotencyKey: 'k', providers: ['a'] }));
    expect(out.results[0]).toMatchObject({ failure: { code: 'CONFLICT', retryable: false, mayHaveCreated: true } });
    expect(a.sends).toBe(1);
  });

  it('a record an earlier version left retryable (a TIMEOUT there) is not sent again either, and the plan says so', async () => {
    const store = new RecordingStore();
    stores.push(store);
    const health = new ProviderHealthBook();
    const build = (adapter: FakeAdapter) =>
      new IdentityService({ kinds: [{ kind: 'fake', validateOptions: () => [] }], adapters: [adapter], store, health, hmacKey: 'k', maxTargets: 16 });
    const before = new FakeAdapter('a').answer(failed('TIMEOUT'));
    await create(build(before), sa({ idempotencyKey: 'k' }));

    const after = new FakeAdapter('a', { refusesDuplicates: false });
    const upgraded = build(after);
    const plan = await upgraded.plan('createServiceAccount', caller, sa({ idempotencyKey: 'k' }));
    expect(plan.targets[0]).toMatchObject({ action: 'KEEP_FAILURE', message: expect.stringMatching(NOT_AGAIN) });
    const out = await create(upgraded, sa({ idempotencyKey: 'k' }));
    expect(out.results[0]).toMatchObject({
      failure: { code: 'CONFLICT', retryable: false, message: expect.stringMatching(/that got no clear answer from this provider/) },
    });
    expect(after.sends).toBe(0);
  });
});

describe('keys and input hygiene', () => {
  it('without a key, the key is derived: "derived:" and 64 hex, stable for the same input, other under another HMAC key', async () => {
    const one = setup({ adapters: [new FakeAdapter('a')], hmacKey: 'first-hmac-key-0123' }).service;
    const two = setup({ adapters: [new FakeAdapter('a')], hmacKey: 'second-hmac-key-456' }).service;
    const k1 = (await create(one, sa())).idempotencyKey;
    const k2 = (await create(two, sa())).idempotencyKey;
    expect(k1).toMatch(/^derived:[0-9a-f]{64}$/);
    expect(k2).toMatch(/^derived:[0-9a-f]{64}$/);
    expect(k1).not.toBe(k2);
    const err = (await rejection(create(one, sa()))) as ConflictError;
    expect(err.extensions).toMatchObject({ idempotencyKey: k1 });
  });

  it('an explicit key is used as given; the Idempotency-Key header is trimmed as HTTP does', async () => {
    const { service } = setup({ adapters: [new FakeAdapter('a')] });
    expect((await create(service, sa({ idempotencyKey: 'onboard-2026-11-23' }))).idempotencyKey).toBe('onboard-2026-11-23');
    expect((await create(service, sa({ name: 'other-bot' }), { ...caller, idempotencyKeyHeaders: ['  hdr-key '] })).idempotencyKey).toBe('hdr-key');
  });

  it('explicit nulls mean absent: the same spec, the same derived key', async () => {
    const a = new FakeAdapter('a');
    const { service } = setup({ adapters: [a] });
    const withNulls = {
      name: 'deploy-bot',
      status: 'ACTIVE',
      displayName: null,
      description: null,
      providers: null,
      idempotencyKey: null,
      fake: null,
    } as SaRequest;
    const out = await create(service, withNulls);
    expect(a.specs[0]).toEqual({ name: 'deploy-bot', status: 'ACTIVE', options: {} });
    expect(out.idempotencyKey).toMatch(/^derived:/);
    const err = (await rejection(create(service, sa()))) as ConflictError;
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.extensions).toMatchObject({ idempotencyKey: out.idempotencyKey });
    expect(a.sends).toBe(1);
  });
});
