import { AUDIT } from '../helpers/audit.fixture';
import { randomBytes } from 'node:crypto';
import type { ClaimResult, Completion, GuardRef, IdempotencyStore, RecordRef, TargetRecord } from '../../src/domain';
import { ProviderErrorCode, wouldClaim } from '../../src/domain';

export type StoreFactory = (timing: { ttlSeconds: number; leaseSeconds: number }) => IdempotencyStore;

/** A claim a test's setup needs granted (not what the test checks): the claim, or a throw naming what came instead. */
export async function claimed(
  store: IdempotencyStore,
  ref: RecordRef,
  fingerprint: string,
  targetIds: readonly string[],
): Promise<Extract<ClaimResult, { kind: 'claimed' }>> {
  const claim = await store.claim(ref, fingerprint, targetIds);
  if (claim.kind !== 'claimed') throw new Error(`not claimed: ${claim.kind}`);
  return claim;
}

const created = (providerId: string, id: string): TargetRecord => ({ providerId, kind: 'created', entity: { id, name: 'n' } });
const failed = (providerId: string, code: ProviderErrorCode, retryable: boolean): TargetRecord => ({
  providerId,
  kind: 'failed',
  failure: { code, message: 'm', retryable },
});
const done = (results: TargetRecord[], extra: Partial<Completion> = {}): Completion => ({
  status: results.every((r) => r.kind === 'created') ? 'SUCCEEDED' : results.some((r) => r.kind === 'created') ? 'PARTIAL' : 'FAILED',
  results,
  release: [],
  keep: [],
  ...extra,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A hoop guard on a name no other test uses. */
const newGuard = (): GuardRef => ({ providerId: 'hoop', naturalKey: `n-${randomBytes(3).toString('hex')}` });

/**
 * A brand-new record's attempt takes `g` and crashes; after its 1 s lease a takeover re-takes it (and may be
 * left to crash too). Needs a store with `leaseSeconds: 1`.
 */
async function guardTakenOver(
  s: IdempotencyStore,
  r: RecordRef,
  g: GuardRef,
): Promise<{ old: Extract<ClaimResult, { kind: 'claimed' }>; next: Extract<ClaimResult, { kind: 'claimed' }> }> {
  const old = await claimed(s, r, 'fp', ['hoop']);
  expect(await s.guard(r, old.owner, [g], { fresh: true })).toEqual([true]);
  await sleep(1100);
  const next = await claimed(s, r, 'fp', ['hoop']);
  expect(next.takenOverFrom).toEqual(['hoop']);
  // Taken back: the dead attempt held it, so it may have called the provider.
  expect(await s.guard(r, next.owner, [g])).toEqual(['retaken']);
  return { old, next };
}

/**
 * The behaviours every IdempotencyStore must have, run against each store
 * (as Apollo runs one suite against every integration). `make` may read state
 * set up in a beforeAll (e.g. a cluster's address): it is called inside tests.
 */
export function describeStoreContract(
  name: string,
  make: StoreFactory,
  /** The store talks to a server: a try can land while its caller sees a timeout (Redis; not the memory store). */
  options: { repliesCanBeLost?: boolean } = {},
): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    const stores: IdempotencyStore[] = [];
    const store = (t = { ttlSeconds: 600, leaseSeconds: 30 }) => {
      const s = make(t);
      stores.push(s);
      return s;
    };
    const ref = (key = randomBytes(6).toString('hex')): RecordRef => ({ clientId: 'client-a', operation: 'createServiceAccount', key });
    afterAll(async () => {
      await Promise.all(stores.map((s) => s.close()));
    });

    it('claims a new key once; the same key is then in progress; another input is REUSED', async () => {
      const s = store();
      const r = ref();
      const first = await s.claim(r, 'fp1', ['hoop']);
      expect(first).toMatchObject({ kind: 'claimed', previous: [], takenOverFrom: [] });
      expect(await s.claim(r, 'fp1', ['hoop'])).toMatchObject({ kind: 'in_progress', record: { state: 'in_progress' } });
      expect(await s.claim(r, 'fp2', ['hoop'])).toEqual({ kind: 'reused' });
    });

    it('scopes keys by client and operation', async () => {
      const s = store();
      const r = ref();
      await s.claim(r, 'fp1', []);
      expect((await s.claim({ ...r, clientId: 'client-b' }, 'fp2', [])).kind).toBe('claimed');
      expect((await s.claim({ ...r, operation: 'createUser' }, 'fp3', [])).kind).toBe('claimed');
    });

    it('a completed record answers with its outcome, never re-claimable when nothing is retryable', async () => {
      const s = store();
      const r = ref();
      const c = await claimed(s, r, 'fp', ['hoop', 'versori']);
      const results = [created('hoop', 'h-1'), failed('versori', ProviderErrorCode.BAD_REQUEST, false)];
      expect(await s.complete(r, c.owner, done(results), AUDIT)).toBe(true);
      const again = await s.claim(r, 'fp', ['hoop', 'versori']);
      expect(again).toMatchObject({ kind: 'completed', record: { state: 'completed', status: 'PARTIAL', results, createdAt: c.createdAt } });
    });

    it('a record with retryable failures is claimable again, with the earlier results', async () => {
      const s = store();
      const r = ref();
      const c = await claimed(s, r, 'fp', ['hoop', 'versori']);
      const results = [created('hoop', 'h-1'), failed('versori', ProviderErrorCode.UNAVAILABLE, true)];
      await s.complete(r, c.owner, done(results), AUDIT);
      const retry = await s.claim(r, 'fp', ['hoop', 'versori']);
      expect(retry).toMatchObject({ kind: 'claimed', previous: results, takenOverFrom: [] });
      // While the retry runs, the key is in progress again.
      expect((await s.claim(r, 'fp', [])).kind).toBe('in_progress');
    });

    it('an expired lease is taken over; the old owner can no longer complete or release', async () => {
      const s = store({ ttlSeconds: 600, leaseSeconds: 1 });
      const r = ref();
      const old = await claimed(s, r, 'fp', ['hoop', 'unleash']);
      await sleep(1100);
      const next = await s.claim(r, 'fp', ['hoop', 'unleash']);
      expect(next).toMatchObject({ kind: 'claimed', takenOverFrom: ['hoop', 'unleash'] });
      if (next.kind !== 'claimed') throw new Error('not claimed');
      expect(next.owner).not.toBe(old.owner);
      expect(await s.complete(r, old.owner, done([created('hoop', 'x')]), AUDIT)).toBe(false);
      await s.release(r, old.owner);
      expect((await s.claim(r, 'fp', [])).kind).toBe('in_progress');
      expect(await s.complete(r, next.owner, done([created('hoop', 'y')]), AUDIT)).toBe(true);
      const [rec] = await s.get([r]);
      expect(rec?.results).toEqual([created('hoop', 'y')]);
    });

    it("a takeover given back leaves the crashed attempt's targets pending: the next takeover still reports them", async () => {
      const s = store({ ttlSeconds: 600, leaseSeconds: 1 });
      const r = ref();
      await claimed(s, r, 'fp', ['hoop', 'unleash']);
      await sleep(1100);
      const takeover = await claimed(s, r, 'fp', ['versori']);
      expect(takeover.takenOverFrom).toEqual(['hoop', 'unleash']);
      // The store remembers it was a takeover: a give-back after a claim that timed out cannot say so.
      await s.release(r, takeover.owner);
      // Given back without a lease: the next claim takes over at once, with the crashed attempt's targets.
      expect(await s.claim(r, 'fp', ['versori'])).toMatchObject({ kind: 'claimed', takenOverFrom: ['hoop', 'unleash'] });
    });

    it('a takeover of a crashed retry, given back, is still a takeover of that retry (not the earlier completed attempt)', async () => {
      const s = store({ ttlSeconds: 600, leaseSeconds: 1 });
      const r = ref();
      const first = await claimed(s, r, 'fp', ['hoop']);
      await s.complete(r, first.owner, done([failed('hoop', ProviderErrorCode.TIMEOUT, true)]), AUDIT);
      await claimed(s, r, 'fp', ['hoop']);
      await sleep(1100);
      const takeover = await claimed(s, r, 'fp', ['hoop']);
      expect(takeover.takenOverFrom).toEqual(['hoop']);
      await s.release(r, takeover.owner);
      expect(await s.claim(r, 'fp', ['hoop'])).toMatchObject({ kind: 'claimed', takenOverFrom: ['hoop'] });
    });

    it("a completion's retry follows what the first try did with the audit event: landed, never again; missing, appended though COMPLETE landed", async () => {
      const s = store();
      const eventsOf = async (key: string) => (await s.auditEvents({ first: 100, filter: {} })).events.filter((e) => e.idempotencyKey === key).length;
      // First try's COMPLETE and event both landed elsewhere: a retry told 'landed' appends nothing, even though COMPLETE answers "now".
      const r1 = ref();
      const c1 = await claimed(s, r1, 'fp', ['hoop']);
      expect(await s.complete(r1, c1.owner, done([created('hoop', 'a')]), { ...AUDIT, idempotencyKey: r1.key }, { retry: true, auditOnRetry: 'landed' })).toBe(
        true,
      );
      expect(await eventsOf(r1.key)).toBe(0);
      // First try's COMPLETE landed but its event did not (another node): the retry appends it although COMPLETE answers "before".
      const r2 = ref();
      const c2 = await claimed(s, r2, 'fp', ['hoop']);
      await s.complete(r2, c2.owner, done([created('hoop', 'b')]), { ...AUDIT, idempotencyKey: `other-${r2.key}` });
      expect(await s.complete(r2, c2.owner, done([created('hoop', 'b')]), { ...AUDIT, idempotencyKey: r2.key }, { retry: true, auditOnRetry: 'missing' })).toBe(
        true,
      );
      expect(await eventsOf(r2.key)).toBe(1);
      // Unknown: as before, a retry whose COMPLETE says an earlier try landed appends nothing (the event rode with it).
      expect(await s.complete(r2, c2.owner, done([created('hoop', 'b')]), { ...AUDIT, idempotencyKey: r2.key }, { retry: true, auditOnRetry: 'unknown' })).toBe(
        true,
      );
      expect(await eventsOf(r2.key)).toBe(1);
    });

    if (options.repliesCanBeLost) {
      /** The request ids of the key's audit events, sorted: one per attempt audited. */
      const auditedRequestIds = async (s: IdempotencyStore, r: RecordRef) =>
        (await s.auditEvents({ first: 100, filter: {} })).events
          .filter((e) => e.idempotencyKey === r.key)
          .map((e) => e.requestId)
          .sort();

      it("a completion's try that landed though its reply was lost, then a takeover before its retry: the retry appends nothing more", async () => {
        const s = store();
        const r = ref();
        const first = await claimed(s, r, 'fp', ['hoop', 'unleash']);
        const partial = done([created('hoop', 'a'), failed('unleash', ProviderErrorCode.UNAVAILABLE, true)]);
        const firstEvent = { ...AUDIT, requestId: 'first', idempotencyKey: r.key, status: 'PARTIAL' as const };
        // Landed; its caller saw a timeout and scheduled a retry ('unknown': no reply said anything).
        expect(await s.complete(r, first.owner, partial, firstEvent)).toBe(true);
        // The client's own retry takes the record over (a retryable failure) and completes before the background retry.
        const second = await claimed(s, r, 'fp', ['hoop', 'unleash']);
        await s.complete(r, second.owner, done([created('hoop', 'a'), created('unleash', 'b')]), { ...AUDIT, requestId: 'second', idempotencyKey: r.key });
        // COMPLETE now answers "another attempt holds the record", which cannot tell whether the first try landed.
        expect(await s.complete(r, first.owner, partial, firstEvent, { retry: true, auditOnRetry: 'unknown' })).toBe(false);
        expect(await auditedRequestIds(s, r)).toEqual(['first', 'second']);
      });

      it("a completion's first try that reaches Redis only after its retry (held in a cut connection's buffer) appends nothing more", async () => {
        const s = store();
        const r = ref();
        const first = await claimed(s, r, 'fp', ['hoop']);
        const event = { ...AUDIT, requestId: 'first', idempotencyKey: r.key };
        // The first try's reply never came (its connection was cut with the bytes still on their way): retried at once.
        expect(await s.complete(r, first.owner, done([created('hoop', 'a')]), event, { retry: true, auditOnRetry: 'unknown' })).toBe(true);
        // Then Redis reads the cut connection's buffer: the first try runs after its retry.
        expect(await s.complete(r, first.owner, done([created('hoop', 'a')]), event)).toBe(true);
        expect(await auditedRequestIds(s, r)).toEqual(['first']);
        // Another attempt's first try is not held back by this attempt's retry.
        const r2 = ref();
        const other = await claimed(s, r2, 'fp', ['hoop']);
        expect(await s.complete(r2, other.owner, done([created('hoop', 'b')]), { ...event, idempotencyKey: r2.key })).toBe(true);
        expect(await auditedRequestIds(s, r2)).toEqual(['first']);
      });

      it('a completion whose first try never ran, overtaken by a takeover after its lease: its retry still audits the attempt once', async () => {
        const s = store({ ttlSeconds: 600, leaseSeconds: 1 });
        const r = ref();
        const first = await claimed(s, r, 'fp', ['hoop']);
        await sleep(1100);
        const second = await claimed(s, r, 'fp', ['hoop']);
        await s.complete(r, second.owner, done([created('hoop', 'a')]), { ...AUDIT, requestId: 'second', idempotencyKey: r.key });
        const firstEvent = { ...AUDIT, requestId: 'first', idempotencyKey: r.key };
        expect(await s.complete(r, first.owner, done([created('hoop', 'a')]), firstEvent, { retry: true, auditOnRetry: 'unknown' })).toBe(false);
        expect(await s.complete(r, first.owner, done([created('hoop', 'a')]), firstEvent, { retry: true, auditOnRetry: 'unknown' })).toBe(false);
        expect(await auditedRequestIds(s, r)).toEqual(['first', 'second']);
      });
    }

    it('release gives a fresh claim back (the key is free again) and restores an earlier completed attempt', async () => {
      const s = store();
      const r = ref();
      const c = await claimed(s, r, 'fp', []);
      await s.release(r, c.owner);
      expect((await s.claim(r, 'fp2', [])).kind).toBe('claimed');

      const r2 = ref();
      const c2 = await claimed(s, r2, 'fp', []);
      await s.complete(r2, c2.owner, done([failed('hoop', ProviderErrorCode.TIMEOUT, true)]), AUDIT);
      const retry = await claimed(s, r2, 'fp', []);
      await s.release(r2, retry.owner);
      expect(await s.get([r2])).toEqual([expect.objectContaining({ state: 'completed', status: 'FAILED' })]);
    });

    it('natural-key guards: held by one record, refused to another, re-taken by the same record, released on failure', async () => {
      const s = store();
      const a = ref();
      const b = ref();
      const guard = { providerId: 'hoop', naturalKey: `subject-${randomBytes(3).toString('hex')}` };
      const other = { providerId: 'unleash', naturalKey: guard.naturalKey };
      const ca = await s.claim(a, 'fa', []);
      const cb = await s.claim(b, 'fb', []);
      if (ca.kind !== 'claimed' || cb.kind !== 'claimed') throw new Error('not claimed');
      expect(await s.guard(a, ca.owner, [guard, other])).toEqual([true, true]);
      // a's attempt has not finished: busy (it may still give the names back), not refused for good.
      expect((await s.inspect(b, 'fb', [guard])).guards).toEqual(['other_busy']);
      expect((await s.inspect(a, 'fa', [guard])).guards).toEqual(['mine']);
      expect(await s.guard(b, cb.owner, [guard, other])).toEqual(['busy', 'busy']);
      // A different operation is a different namespace.
      expect(await s.guard({ ...b, operation: 'createUser' }, cb.owner, [guard])).toEqual([true]);
      // a's hoop target failed: its guard goes; its unleash target succeeded: kept.
      await s.complete(
        a,
        ca.owner,
        done([failed('hoop', ProviderErrorCode.BAD_REQUEST, false), created('unleash', 'u')], { release: [guard], keep: [other] }),
        AUDIT,
      );
      // Released: b takes it. Kept (a created that identity): refused for good.
      expect((await s.inspect(b, 'fb', [guard, other])).guards).toEqual(['free', 'other']);
      expect(await s.guard(b, cb.owner, [guard, other])).toEqual([true, false]);
    });

    it('a plan reads the targets a takeover would take over: those of an in-progress record whose lease is over', async () => {
      const s = store({ ttlSeconds: 600, leaseSeconds: 1 });
      const r = ref();
      const c = await claimed(s, r, 'fp', ['hoop', 'unleash']);
      expect(await s.inspect(r, 'fp', [])).toMatchObject({ record: 'in_progress', takenOverFrom: [] });
      await sleep(1100);
      expect(await s.inspect(r, 'fp', [])).toMatchObject({ record: 'retryable', takenOverFrom: ['hoop', 'unleash'] });
      await s.complete(r, c.owner, done([created('hoop', 'h'), failed('unleash', ProviderErrorCode.UNAVAILABLE, true)]), AUDIT);
      expect(await s.inspect(r, 'fp', [])).toMatchObject({ record: 'retryable', takenOverFrom: [] });
    });

    it("a retry of the record takes its kept guard back, and says it was kept ('retakenKept'), not busy", async () => {
      const s = store({ ttlSeconds: 600, leaseSeconds: 30 });
      const r = ref();
      const g = newGuard();
      const first = await claimed(s, r, 'fp', ['hoop']);
      expect(await s.guard(r, first.owner, [g])).toEqual([true]);
      await s.complete(r, first.owner, done([failed('hoop', ProviderErrorCode.TIMEOUT, true)], { keep: [g] }), AUDIT);
      const retry = await claimed(s, r, 'fp', ['hoop']);
      expect(await s.guard(r, retry.owner, [g])).toEqual(['retakenKept']);
    });

    it('a guard held by an older owner of the same record passes to the new owner on takeover', async () => {
      const s = store({ ttlSeconds: 600, leaseSeconds: 1 });
      const r = ref();
      const g = newGuard();
      const { old } = await guardTakenOver(s, r, g);
      // The old owner can no longer release what the new owner holds.
      await s.complete(r, old.owner, done([], { release: [g] }), AUDIT);
      const intruder = ref();
      const ci = await claimed(s, intruder, 'fi', []);
      expect(await s.guard(intruder, ci.owner, [g])).toEqual(['busy']);
    });

    it('an old owner that stalled past its lease cannot take the guard a takeover holds while it may still be calling', async () => {
      const s = store({ ttlSeconds: 600, leaseSeconds: 1 });
      const r = ref();
      const g = newGuard();
      // The first attempt stalls between its claim and its guards, past its lease; the key is taken over.
      const old = await claimed(s, r, 'fp', ['hoop']);
      await sleep(1100);
      const next = await claimed(s, r, 'fp', ['hoop']);
      expect(await s.guard(r, next.owner, [g])).toEqual([true]);
      // The stalled attempt wakes up: the guard is the takeover's, busy; it sends nothing, fresh claim or not,
      // and the lease says which of the two is stale.
      expect(await s.guard(r, old.owner, [g], { fresh: true })).toEqual(['attempt']);
      expect(await s.guard(r, old.owner, [g])).toEqual(['attempt']);
      expect([await s.ownsLease(r, old.owner), await s.ownsLease(r, next.owner)]).toEqual([false, true]);
      // And the takeover still holds it: it re-takes it, and no other key may.
      expect(await s.guard(r, next.owner, [g])).toEqual(['retaken']);
      const intruder = ref();
      expect(await s.guard(intruder, (await claimed(s, intruder, 'fi', [])).owner, [g])).toEqual(['busy']);
    });

    it("a guard left busy by an attempt whose claim was given back is taken by the lease's owner (leaseHeld), never blocking the key's retry", async () => {
      const s = store({ ttlSeconds: 600, leaseSeconds: 30 });
      const r = ref();
      const g = newGuard();
      // A first attempt fails on another target (retryable), keeping nothing of g...
      const first = await claimed(s, r, 'fp', ['hoop']);
      await s.complete(r, first.owner, done([failed('hoop', ProviderErrorCode.UNAVAILABLE, true)]), AUDIT);
      // ...a retry takes g, its guard phase then fails (a Redis hiccup) and its claim is given back, g still busy.
      const retry = await claimed(s, r, 'fp', ['hoop']);
      expect(await s.guard(r, retry.owner, [g])).toEqual([true]);
      await s.release(r, retry.owner);
      // The next retry meets g busy under the given-back attempt: 'attempt'; it holds the lease, so it takes it.
      const again = await claimed(s, r, 'fp', ['hoop']);
      expect(await s.guard(r, again.owner, [g])).toEqual(['attempt']);
      expect(await s.ownsLease(r, again.owner)).toBe(true);
      expect(await s.guard(r, again.owner, [g], { leaseHeld: true })).toEqual(['retaken']);
      // Still no other key's: another record meets it busy.
      const intruder = ref();
      expect(await s.guard(intruder, (await claimed(s, intruder, 'fi', [])).owner, [g])).toEqual(['busy']);
    });

    it('records expire ttlSeconds after creation', async () => {
      const s = store({ ttlSeconds: 1, leaseSeconds: 1 });
      const r = ref();
      const c = await claimed(s, r, 'fp', []);
      await s.complete(r, c.owner, done([created('hoop', 'h')]), AUDIT);
      expect((await s.get([r]))[0]).not.toBeNull();
      await sleep(1200);
      expect(await s.get([r])).toEqual([null]);
      expect((await s.claim(r, 'other-fp', [])).kind).toBe('claimed');
    });

    it('a guard re-taken by a takeover is held ttlSeconds from then, not only for what was left of it', async () => {
      const s = store({ ttlSeconds: 2, leaseSeconds: 1 });
      const r = ref();
      const g = newGuard();
      await guardTakenOver(s, r, g);
      // 2.3 s after the first guard: its own ttl is over, the takeover's is not (and its lease is: refused for good).
      await sleep(1200);
      const intruder = ref();
      const ci = await claimed(s, intruder, 'fi', []);
      expect(await s.guard(intruder, ci.owner, [g])).toEqual([false]);
    });

    it('a guard whose holder can no longer be running (its lease is over: it crashed) is refused for good, not busy', async () => {
      const s = store({ ttlSeconds: 600, leaseSeconds: 1 });
      const g = newGuard();
      const a = ref();
      const ca = await claimed(s, a, 'fa', ['hoop']);
      expect(await s.guard(a, ca.owner, [g])).toEqual([true]);
      const b = ref();
      const cb = await claimed(s, b, 'fb', ['hoop']);
      expect(await s.guard(b, cb.owner, [g])).toEqual(['busy']);
      await sleep(1100);
      expect(await s.guard(b, cb.owner, [g])).toEqual([false]);
    });

    it("a plan reads this record's guard left busy past its time as GUARD_CLAIM takes it back (retaken), not as a kept one", async () => {
      const s = store({ ttlSeconds: 600, leaseSeconds: 1 });
      const r = ref();
      const g = newGuard();
      const first = await claimed(s, r, 'fp', ['hoop']);
      expect(await s.guard(r, first.owner, [g], { fresh: true })).toEqual([true]);
      // Completed, but its guard neither released nor kept (that write lost): busy, then past its time.
      await s.complete(r, first.owner, done([failed('hoop', ProviderErrorCode.UNAVAILABLE, true)]), AUDIT);
      await sleep(1100);
      const seen = (await s.inspect(r, 'fp', [g])).guards;
      expect(seen).toEqual(['mine_stale']);
      expect(wouldClaim(seen[0], false)).toBe('retaken');
      const retry = await claimed(s, r, 'fp', ['hoop']);
      expect(await s.guard(r, retry.owner, [g])).toEqual(['retaken']);
      // Once kept, the plan and the claim both read it as kept.
      await s.complete(r, retry.owner, done([created('hoop', 'h')], { keep: [g] }), AUDIT);
      expect((await s.inspect(r, 'fp', [g])).guards).toEqual(['mine_kept']);
    });

    it("a brand-new record of a key does not re-take the kept guard of that key's expired record", async () => {
      const s = store({ ttlSeconds: 1, leaseSeconds: 1 });
      const r = ref();
      const g = newGuard();
      const first = await claimed(s, r, 'fp', ['hoop']);
      expect(await s.guard(r, first.owner, [g])).toEqual([true]);
      await sleep(600);
      // Kept 1 s from completion, so past the record's end (1 s from creation).
      await s.complete(r, first.owner, done([created('hoop', 'h')], { keep: [g] }), AUDIT);
      await sleep(550);
      expect(await s.get([r])).toEqual([null]);
      // A plan reads what the claim will find: no record, this key's own kept guard.
      expect(await s.inspect(r, 'fp', [g])).toMatchObject({ record: 'none', guards: ['mine_kept'] });
      const again = await claimed(s, r, 'fp', ['hoop']);
      // Refused, and told apart from another key's guard: the client's own earlier attempt created it.
      expect(await s.guard(r, again.owner, [g], { fresh: true })).toEqual(['earlier']);
    });

    it('a brand-new record of a key does not re-take its own guard left busy by a crashed attempt whose lease is over', async () => {
      const s = store({ ttlSeconds: 4, leaseSeconds: 1 });
      const r = ref();
      const g = newGuard();
      // The first attempt crashed; a takeover re-takes the guard (for ttlSeconds from now) and crashes too.
      await guardTakenOver(s, r, g);
      // The record is gone (4 s from creation), its guard is not (4 s from the takeover).
      await sleep(3100);
      expect(await s.get([r])).toEqual([null]);
      const fresh = await claimed(s, r, 'other-fp', ['hoop']);
      expect(await s.guard(r, fresh.owner, [g], { fresh: true })).toEqual(['earlier']);
    });

    it("a retry near the end of the record's life keeps it at least twice its lease: it never expires under the attempt it lets run", async () => {
      // A whole second of margin on each side: a loaded machine's timers slip by hundreds of milliseconds.
      const s = store({ ttlSeconds: 2, leaseSeconds: 30 });
      const r = ref();
      const first = await claimed(s, r, 'fp', ['hoop']);
      await s.complete(r, first.owner, done([failed('hoop', ProviderErrorCode.UNAVAILABLE, true)], { status: 'FAILED' }), AUDIT);
      await sleep(1000);
      expect(await s.claim(r, 'fp', ['hoop'])).toMatchObject({ kind: 'claimed', previous: [{ providerId: 'hoop', kind: 'failed' }] });
      // Past the first claim's ttl: the retry's record is still there, in progress, and no one else may claim it.
      await sleep(2000);
      expect(await s.claim(r, 'fp', ['hoop'])).toMatchObject({ kind: 'in_progress' });
      expect((await s.get([r]))[0]).toMatchObject({ state: 'in_progress' });
    });

    it('a record that expired while its attempt still holds the lease is in progress, never claimed afresh', async () => {
      const s = store({ ttlSeconds: 1, leaseSeconds: 30 });
      const r = ref();
      expect((await s.claim(r, 'fp', ['hoop'])).kind).toBe('claimed');
      await sleep(1200);
      expect(await s.claim(r, 'fp', ['hoop'])).toMatchObject({ kind: 'in_progress' });
      expect(await s.claim(r, 'other-fp', ['hoop'])).toMatchObject({ kind: expect.stringMatching(/^(in_progress|reused)$/) });
    });

    it('get answers many keys at once, null for unknown ones', async () => {
      const s = store();
      const r = ref();
      const c = await claimed(s, r, 'fp', []);
      await s.complete(r, c.owner, done([created('hoop', 'h')]), AUDIT);
      const got = await s.get([r, ref(), { ...r, clientId: 'someone-else' }]);
      expect(got).toEqual([expect.objectContaining({ key: r.key, state: 'completed', status: 'SUCCEEDED' }), null, null]);
    });

    it("refused attempts, however many (a client repeating a finished create), never push a completion's event out of the trail", async () => {
      const s = store(); // audit.maxEvents: 1000
      const r = ref();
      const owner = `creator-${randomBytes(4).toString('hex')}`;
      const c = await claimed(s, r, 'fp', ['hoop']);
      await s.complete(r, c.owner, done([created('hoop', 'h')]), { ...AUDIT, at: new Date().toISOString(), clientId: owner, idempotencyKey: r.key });
      const refusal = { ...AUDIT, at: new Date().toISOString(), clientId: 'repeater', status: 'CONFLICT' as const };
      for (let i = 0; i < 30; i++) await Promise.all(Array.from({ length: 100 }, () => s.appendAudit(refusal)));
      const page = await s.auditEvents({ first: 10, filter: { clientId: owner } });
      expect(page.events.map((e) => e.idempotencyKey)).toEqual([r.key]);
      // The refusals are kept too, within their own bound.
      const refused = await s.auditEvents({ first: 100, filter: { clientId: 'repeater' } });
      expect(refused.events.length).toBe(100);
    });
  });
}
