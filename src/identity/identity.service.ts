import type { Logger } from 'pino';
import {
  AuditStatus,
  AuditTargetResult,
  CircuitState,
  CreateStatus,
  GuardState,
  HealthState,
  isAuditCursor,
  partialCompletionOf,
  NO_IDENTITY_EVENTS,
  type AuditEvent,
  type AuditPage,
  type AuditQuery,
  type AuditTarget,
  PlanAction,
  PlanKeyState,
  ProviderErrorCode,
  type ClaimResult,
  type Completion,
  type CreatePlan,
  type Inspection,
  type PlannedTarget,
  type CreateResult,
  type GuardClaim,
  type GuardOptions,
  type GuardRef,
  wouldClaim,
  isHeld,
  type IdempotencyStore,
  type IdentityEvents,
  type InputProblem,
  type Operation,
  type OptionsValidator,
  type PreparedCall,
  type PrepareResult,
  type ProviderAdapter,
  type ProviderOptions,
  type RecordRef,
  type SpecByOperation,
  type StoredRecord,
  type TargetFailure,
  type TargetOutcome,
  type TargetRecord,
  type TargetPolicy,
  type TargetResult,
} from '../domain';
import { BadUserInputError, ConflictError, IdempotencyKeyReusedError, PolicyDeniedError, ServiceUnavailableError } from '../errors/gateway.error';
import type { ProviderHealthBook, ProviderHealthSnapshot } from './provider-health.book';
import { CompletionRetrier } from './completion.retrier';
import { derivedKey, fingerprint } from './input.fingerprint';
import { normalizeInput } from './input.normalizer';
import { IDEMPOTENCY_KEY, validateServiceAccount, validateUser } from './input.validation';
import { whyNotRecorded } from './completion.refusal';

export interface Caller {
  readonly clientId: string;
  readonly requestId: string;
  readonly logger: Logger;
  /** Every Idempotency-Key HTTP header the request carried (more than one is refused). */
  readonly idempotencyKeyHeaders?: readonly string[];
  /** What this client may ask of providers; undefined: not limited beyond its scopes. */
  readonly policy?: TargetPolicy;
}

/**
 * A create as the client sent it: the common fields, one options object per
 * provider kind (`hoop: {…}`), the target list and the key. Explicit nulls
 * are allowed anywhere a field is optional and mean "absent".
 */
export type CreateRequest<O extends Operation> = {
  readonly [K in Exclude<keyof SpecByOperation[O], 'options'>]?: SpecByOperation[O][K] | null;
} & {
  readonly providers?: readonly string[] | null;
  readonly idempotencyKey?: string | null;
};

const DERIVED_PREFIX = 'derived:';
const UNKNOWN_IDS_SHOWN = 5;

export interface ProviderInfo {
  readonly id: string;
  readonly kind: string;
  readonly operations: readonly Operation[];
  readonly health: ProviderHealthSnapshot & { readonly circuit?: CircuitState };
}

/** What the service needs of a provider kind: its name (the option field) and the rules on its options. */
export interface ProviderKindRules {
  readonly kind: string;
  readonly validateOptions: OptionsValidator;
}

export interface IdentityServiceOptions {
  readonly kinds: readonly ProviderKindRules[];
  readonly adapters: readonly ProviderAdapter[];
  readonly store: IdempotencyStore;
  readonly health: ProviderHealthBook;
  readonly hmacKey: string;
  readonly maxTargets: number;
  /** Metrics hooks; none by default. */
  readonly events?: IdentityEvents;
  /** When to try a refused completion again (completion.retrier.ts); a test shortens them. */
  readonly completionRetryDelaysMs?: readonly number[];
}

/** The common fields of each operation; every other key of a request is a kind's options. */
const COMMON_FIELDS: { readonly [O in Operation]: ReadonlySet<string> } = {
  createServiceAccount: new Set(['name', 'displayName', 'description', 'status']),
  createUser: new Set(['email', 'name', 'status', 'groups']),
};

interface PreparedCreate {
  readonly ref: RecordRef;
  readonly print: string;
  readonly adapters: readonly ProviderAdapter[];
  readonly targets: readonly Target[];
  readonly keyDerived: boolean;
}

const KEY_STATE: Readonly<Record<Inspection['record'], PlanKeyState>> = {
  none: PlanKeyState.NEW,
  reused: PlanKeyState.REUSED,
  in_progress: PlanKeyState.IN_PROGRESS,
  completed: PlanKeyState.COMPLETED,
  retryable: PlanKeyState.RETRY,
};

const KEY_STATE_MESSAGE: Readonly<Partial<Record<PlanKeyState, string>>> = {
  [PlanKeyState.COMPLETED]: 'this key was completed: the create would be CONFLICT, nothing sent',
  [PlanKeyState.IN_PROGRESS]: 'a request runs under this key now: the create would be CONFLICT (inProgress), nothing sent',
  [PlanKeyState.REUSED]: 'this key was used with a different input: the create would be IDEMPOTENCY_KEY_REUSED, nothing sent',
};

const GUARD_STATE: Readonly<Record<Inspection['guards'][number], GuardState>> = {
  free: GuardState.FREE,
  mine: GuardState.HELD_BY_THIS_KEY,
  mine_stale: GuardState.HELD_BY_THIS_KEY,
  mine_kept: GuardState.HELD_BY_THIS_KEY,
  other: GuardState.HELD_BY_OTHER,
  other_busy: GuardState.HELD_BY_OTHER,
};

interface Target {
  readonly adapter: ProviderAdapter;
  /** Undefined when the target is answered without a call (UNSUPPORTED). */
  readonly call?: PreparedCall;
  readonly unsupported?: string;
}

const VALIDATORS: { [O in Operation]: (spec: SpecByOperation[O]) => InputProblem[] } = {
  createServiceAccount: validateServiceAccount,
  createUser: validateUser,
};

/**
 * Validates a create for every target, claims its idempotency key, fans out
 * in parallel and reports one result per target. Knows adapters and the store
 * only through their interfaces.
 */
export class IdentityService {
  private readonly adapters: readonly ProviderAdapter[];
  private readonly byId: ReadonlyMap<string, ProviderAdapter>;
  private readonly events: IdentityEvents;
  private readonly completions: CompletionRetrier;
  private stopping = false;
  /** Creates under way, whether or not their client still waits (settle()). */
  private readonly running = new Set<Promise<CreateResult>>();

  constructor(private readonly options: IdentityServiceOptions) {
    this.adapters = options.adapters;
    this.byId = new Map(options.adapters.map((a) => [a.id, a]));
    this.events = options.events ?? NO_IDENTITY_EVENTS;
    this.completions = new CompletionRetrier(options.store, options.completionRetryDelaysMs);
  }

  /**
   * Shutdown has begun: a create whose claim comes back after this (so it has
   * called no provider yet) gives the claim back and answers SERVICE_UNAVAILABLE, so a
   * retry (here or on another replica) starts clean instead of waiting out
   * the lease. Creates already calling providers finish as usual.
   */
  beginShutdown(): void {
    this.stopping = true;
  }

  /** At shutdown, once no request runs and before the store closes: completions still waiting are tried until `deadline` (ms since the epoch). */
  flushCompletions(deadline: number): Promise<void> {
    return this.completions.flush(deadline);
  }

  listProviders(): ProviderInfo[] {
    return this.adapters.map((a) => this.providerInfo(a.id)!);
  }

  providerInfo(id: string): ProviderInfo | undefined {
    const a = this.byId.get(id);
    if (!a) return undefined;
    const passive = this.options.health.snapshot(a.id);
    const circuit = a.health?.().circuit;
    const state = circuit && circuit !== CircuitState.CLOSED ? HealthState.CIRCUIT_OPEN : passive.state;
    return { id: a.id, kind: a.kind, operations: operationsOf(a), health: { ...passive, state, circuit } };
  }

  /** A key as a create would read it (trimmed, as HTTP trims the header), or BAD_USER_INPUT when no create could have used it. */
  lookupKey(key: string): string {
    const trimmed = key.trim();
    if (!IDEMPOTENCY_KEY.test(trimmed)) throw new BadUserInputError([{ field: 'key', message: 'must be 1–255 printable ASCII characters' }]);
    return trimmed;
  }

  async getRecords(clientId: string, refs: ReadonlyArray<{ key: string; operation: Operation }>): Promise<Array<StoredRecord | null>> {
    return this.options.store.get(refs.map((r) => ({ clientId, operation: r.operation, key: r.key })));
  }

  /**
   * Everything a create would do, up to and not including its first side
   * effect: the same validation, targets, key and upstream requests, and what
   * the store says of the key and each guard (read only: nothing is claimed,
   * guarded or sent).
   */
  async plan<O extends Operation>(operation: O, caller: Caller, input: CreateRequest<O>): Promise<CreatePlan> {
    const { ref, print, targets, keyDerived } = this.prepareCreate(operation, caller, input);
    const callable = targets.filter((t) => t.call);
    const seen = await this.options.store.inspect(
      ref,
      print,
      callable.map((t) => ({ providerId: t.adapter.id, naturalKey: t.call!.naturalKey })),
    );
    const guardOf = new Map(callable.map((t, i) => [t.adapter.id, seen.guards[i]]));
    const previous = new Map(seen.previous.map((r) => [r.providerId, r]));
    const keyState = KEY_STATE[seen.record];
    const stopped = keyState === PlanKeyState.COMPLETED || keyState === PlanKeyState.IN_PROGRESS || keyState === PlanKeyState.REUSED;
    const planned = targets.map((t): PlannedTarget => {
      const base = { providerId: t.adapter.id, naturalKey: t.call?.naturalKey, request: t.call?.request };
      if (!t.call) return { providerId: t.adapter.id, action: PlanAction.UNSUPPORTED, message: t.unsupported };
      const seenGuard = guardOf.get(t.adapter.id) ?? 'free';
      const guard = GUARD_STATE[seenGuard];
      if (stopped) return { ...base, guard, action: PlanAction.NOT_SENT, message: KEY_STATE_MESSAGE[keyState] };
      const prior = previous.get(t.adapter.id);
      if (prior?.kind === 'created')
        return {
          ...base,
          guard,
          action: PlanAction.REPLAY,
          message: `created earlier under this key (${prior.entity.id === undefined ? 'its id unknown' : `id ${prior.entity.id}`})`,
        };
      if (prior && !isRerunnable(prior)) return { ...base, guard, action: PlanAction.KEEP_FAILURE, message: `${prior.failure.code}: ${prior.failure.message}` };
      // A key with no record is claimed fresh (as the create decides it below).
      const claimed = wouldClaim(seenGuard, keyState === PlanKeyState.NEW);
      // The create's own rule (execute): a guard taken back from an attempt that may have sent the create.
      const earlier = earlierBehindGuard(claimed, seen.takenOverFrom, t.adapter.id, prior);
      if (earlier && !t.call.refusesDuplicates) {
        const failure = notSentAgain(t, earlier);
        return { ...base, guard, action: PlanAction.KEEP_FAILURE, message: `${failure.code}: ${failure.message}` };
      }
      if (!isHeld(claimed)) {
        return { ...base, guard, action: claimed === 'busy' ? PlanAction.GUARD_BUSY : PlanAction.GUARD_CONFLICT, message: refusedGuard(t, claimed).message };
      }
      // Half-open lets a trial call through: only a breaker that is open now stops the call.
      if (t.adapter.health?.().circuit === CircuitState.OPEN) {
        return {
          ...base,
          guard,
          action: PlanAction.CIRCUIT_OPEN,
          message: `${t.adapter.id}'s circuit breaker is open: the create would answer UNAVAILABLE without calling it`,
        };
      }
      return { ...base, guard, action: PlanAction.CALL };
    });
    return {
      operation,
      idempotencyKey: ref.key,
      keyDerived,
      keyState,
      wouldSend: planned.some((t) => t.action === PlanAction.CALL),
      targets: planned,
    };
  }

  create<O extends Operation>(operation: O, caller: Caller, input: CreateRequest<O>): Promise<CreateResult> {
    const run = this.run(operation, caller, input);
    this.running.add(run);
    const done = () => void this.running.delete(run);
    run.then(done, done);
    return run;
  }

  /**
   * At shutdown, before the store closes: every create still running finishes and records its outcome. The
   * HTTP drain waits only for requests whose client is still connected; a create whose client went away
   * runs on, and closing the store under it left its record in progress (a retry after the lease called the
   * providers again). Each create is bounded by its providers' worst case, which the grace covers.
   */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** The client went away before an answer carrying these providers' one-time credentials was written. */
  credentialsLost(providerIds: readonly string[]): void {
    for (const id of providerIds) this.events.credentialsLost(id);
  }

  private async run<O extends Operation>(operation: O, caller: Caller, input: CreateRequest<O>): Promise<CreateResult> {
    const { ref, print, adapters, targets } = this.prepareCreate(operation, caller, input);

    // 2. Claim (round trip 1).
    const claim = await this.options.store.claim(
      ref,
      print,
      adapters.map((a) => a.id),
    );
    if (claim.kind !== 'claimed') {
      // What the key's record holds, not what this attempt did: it created nothing, so nothing counts as CREATED.
      this.auditRefused(caller, ref, claim.kind, claim.kind === 'reused' ? [] : claim.record.results);
    }
    if (claim.kind === 'reused') {
      this.events.idempotency('reused');
      throw new IdempotencyKeyReusedError(ref.key);
    }
    if (claim.kind === 'in_progress') {
      this.events.idempotency('in_progress');
      throw inProgressConflict(ref.key, claim.record.createdAt, 'A request with this idempotency key is still in progress; retry after it finishes.');
    }
    if (claim.kind === 'completed') {
      this.events.idempotency('conflict');
      throw completedConflict(ref.key, claim.record);
    }
    // Shutdown began while the claim was in flight: nothing was called yet, so give it back.
    if (this.stopping) await this.giveBack(ref, claim.owner);
    return this.execute(caller, ref, claim, targets);
  }

  /** 1. Everything that can be wrong with the input is found before any I/O. */
  private prepareCreate<O extends Operation>(operation: O, caller: Caller, input: CreateRequest<O>): PreparedCreate {
    const { providers, idempotencyKey, ...fields } = normalizeInput(input) as CreateRequest<O> & Readonly<Record<string, unknown>>;
    const problems: InputProblem[] = [];
    const spec = this.toSpec(operation, fields, problems);
    problems.unshift(...VALIDATORS[operation](spec));
    const adapters = this.resolveTargets(operation, providers ?? undefined, problems, caller.policy);
    const key = this.explicitKey(idempotencyKey ?? undefined, caller.idempotencyKeyHeaders ?? [], problems);
    const targets: Target[] = [];
    // Preparers may assume a valid spec, so none runs on a wrong input; but one target's missing
    // default must not hide another's: every preparer runs when the input itself is valid.
    const inputValid = problems.length === 0;
    for (const adapter of adapters) {
      // Preparers is keyed by operation; TypeScript cannot narrow that mapped type through the generic O.
      const prepare = adapter.prepare[operation] as ((spec: SpecByOperation[O]) => PrepareResult) | undefined;
      if (!prepare) {
        targets.push({
          adapter,
          unsupported: `${adapter.id} (${adapter.kind}) cannot ${operation === 'createUser' ? 'create users' : 'create service accounts'}`,
        });
        continue;
      }
      const prepared = inputValid ? prepare(spec) : undefined;
      if (prepared?.kind === 'invalid') problems.push(...prepared.problems);
      else if (prepared?.kind === 'unsupported') targets.push({ adapter, unsupported: prepared.message });
      else if (prepared?.kind === 'ready') targets.push({ adapter, call: prepared.call });
    }
    if (problems.length) throw new BadUserInputError(dedupeProblems(problems));
    // Only targets that will be called can grant anything; an UNSUPPORTED one is answered without a call.
    const denied = caller.policy?.check(
      operation,
      spec,
      targets.filter((t) => t.call).map((t) => t.adapter.id),
    );
    if (denied) throw new PolicyDeniedError(denied.field, denied.message);

    const print = fingerprint({ operation, spec, providers: adapters.map((a) => a.id).sort() }, this.options.hmacKey);
    const ref: RecordRef = { clientId: caller.clientId, operation, key: key ?? derivedKey(print, caller.clientId, this.options.hmacKey) };
    return { ref, print, adapters, targets, keyDerived: key === undefined };
  }

  private async execute(caller: Caller, ref: RecordRef, claim: Extract<ClaimResult, { kind: 'claimed' }>, targets: readonly Target[]): Promise<CreateResult> {
    const { operation } = ref;
    // 3. Decide what runs: earlier successes replay, earlier permanent failures stand.
    const previous = new Map(claim.previous.map((r) => [r.providerId, r]));
    const toRun = targets.filter((t) => t.call && isRerunnable(previous.get(t.adapter.id)));

    // Nothing to call and nothing from an earlier attempt (every target UNSUPPORTED): give the claim
    // back rather than keep a record of nothing; a repeat gets the same answer without a call.
    if (toRun.length === 0 && claim.previous.length === 0) {
      await this.options.store.release(ref, claim.owner);
      const results = targets.map((t): TargetResult => ({ providerId: t.adapter.id, kind: 'failed', failure: unsupported(t.unsupported ?? 'not supported') }));
      const status = overallStatus(results);
      this.audit(
        caller,
        ref,
        status,
        results.map((r) => auditTarget(r)),
        { await: false },
      );
      return { idempotencyKey: ref.key, status, results };
    }

    // 4. Natural-key guards (round trip 2).
    const guards: GuardRef[] = toRun.map((t) => ({ providerId: t.adapter.id, naturalKey: t.call!.naturalKey }));
    let held: GuardClaim[];
    try {
      // Guards of identities an earlier attempt of this key may have created (a takeover's targets; a retry of a
      // TIMEOUT or a broken call): kept if this phase fails, never given back (a give-back would delete them).
      const keepOnFailure = guards.filter((g) => earlierAttempt(claim.takenOverFrom, g.providerId, previous.get(g.providerId)) !== undefined);
      const fresh = claim.previous.length === 0 && claim.takenOverFrom.length === 0;
      held = await this.options.store.guard(ref, claim.owner, guards, { keepOnFailure, fresh });
      if (held.includes('attempt')) held = await this.settleAttempts(caller, ref, claim, guards, held, { keepOnFailure, fresh });
    } catch (err) {
      await this.options.store.release(ref, claim.owner).catch(() => undefined);
      throw err;
    }
    // No give-back past this point: the guards are now held under this record, and the store
    // releases guards only on completion; the calls start at once and finish within the grace.

    // 5. Fan out, in parallel.
    const outcomes = new Map<string, TargetOutcome>();
    let sent = 0;
    await Promise.all(
      toRun.map(async (t, i) => {
        // Only a guard taken back from an earlier attempt of this key says that attempt may have sent the create
        // (it takes the guard just before its call); one taken free, or refused, says no attempt of this key did.
        const earlier = earlierBehindGuard(held[i], claim.takenOverFrom, t.adapter.id, previous.get(t.adapter.id));
        let outcome: TargetOutcome;
        if (!isHeld(held[i])) {
          this.events.idempotency('guard_conflict', t.adapter.id);
          outcome = { kind: 'failed', failure: refusedGuard(t, held[i]) };
        }
        // That attempt may have created it, and this provider would not refuse a second create: not sent
        // (docs/idempotency.md, "Unknown outcomes"). A guard left by an attempt with a known outcome (its release
        // lost) is no such sign: sent.
        else if (earlier && !t.call!.refusesDuplicates) outcome = { kind: 'failed', failure: notSentAgain(t, earlier) };
        else {
          sent++;
          outcome = await this.send(t, caller);
        }
        const tagged = retag(outcome, earlier);
        outcomes.set(t.adapter.id, t.call!.refusesDuplicates ? tagged : notRepeatable(t, tagged));
      }),
    );

    // 6. Assemble, complete (round trip 3), answer.
    const results: TargetResult[] = targets.map((t) => {
      const id = t.adapter.id;
      const fresh = outcomes.get(id);
      if (fresh) return fresh.kind === 'created' ? { providerId: id, ...fresh, replayed: false } : { providerId: id, ...fresh };
      const prior = previous.get(id);
      if (prior?.kind === 'created') {
        this.events.idempotency('replay', id);
        return { ...prior, credentials: [], replayed: true };
      }
      if (prior) return prior;
      return { providerId: id, kind: 'failed', failure: unsupported(t.unsupported ?? 'not supported') };
    });
    const status = overallStatus(results);
    const records: TargetRecord[] = results.map(toRecord);
    // A guard is given back only when its target's failure proves nothing exists upstream; an identity that was
    // created, or may have been, keeps it: another key must not create it again (a case-variant subject would pass
    // the provider's own check).
    const keep = guards.filter((g, i) => isHeld(held[i]) && mayExist(outcomes.get(g.providerId)));
    const release = guards.filter((g, i) => isHeld(held[i]) && !mayExist(outcomes.get(g.providerId)));
    const audit = this.audit(
      caller,
      ref,
      status,
      results.map((r) => auditTarget(r)),
      { await: true },
    );
    const completion: Completion = { status, results: records, release, keep };
    try {
      const stillOwner = await this.options.store.complete(ref, claim.owner, completion, audit);
      // Why, read in the background: the answer holding the credentials does not wait for a diagnostic.
      if (!stillOwner) {
        void whyNotRecorded(this.options.store, ref).then((why) =>
          caller.logger.warn({ operation, status, why: why.reason }, `idempotency outcome not recorded: ${why.message}`),
        );
      }
    } catch (err) {
      // Upstream work is done and credentials exist only in this response: never lose them over a store error.
      // The record and the audit event are written on a later try (completion.retrier.ts).
      this.events.storeError();
      const partial = partialCompletionOf(err);
      const retrying = this.completions.schedule(ref, claim.owner, completion, audit, caller.logger, partial?.auditOnRetry);
      const fields = { ...storeFailure(err), operation, status, providersCalled: sent, retrying };
      if (partial?.recorded) caller.logger.warn(fields, 'idempotency outcome recorded, but not all of its guard updates or its audit event (tried again)');
      else caller.logger.error(fields, 'could not record idempotency outcome (providers were called; the answer is still returned)');
    }
    return { idempotencyKey: ref.key, status, results };
  }

  /**
   * One audit event per attempt that reached the store, logged once at info.
   * A completion carries it in its own round trip (`await: true` returns it
   * for that); an attempt the claim answered appends it without making the
   * caller wait for one more round trip.
   */
  /** An attempt refused at the store: audited with the key's record as it found it (no target counts as CREATED). */
  private auditRefused(caller: Caller, ref: RecordRef, refusal: keyof typeof REFUSAL_STATUS, records: readonly TargetRecord[]): void {
    this.audit(
      caller,
      ref,
      REFUSAL_STATUS[refusal],
      records.map((r) => auditTarget(r, { refused: true })),
      { await: false },
    );
  }

  private audit(caller: Caller, ref: RecordRef, status: AuditStatus, targets: readonly AuditTarget[], how: { await: boolean }): AuditEvent {
    const event: AuditEvent = {
      at: new Date().toISOString(),
      requestId: caller.requestId,
      clientId: caller.clientId,
      operation: ref.operation,
      idempotencyKey: ref.key,
      status,
      targets,
    };
    caller.logger.info({ audit: event }, `audit: ${ref.operation} ${status}`);
    if (!how.await) {
      this.options.store
        .appendAudit(event)
        .catch((err: unknown) => caller.logger.warn(storeFailure(err), 'could not append the audit event (the store tries again in the background)'));
    }
    return event;
  }

  /** Newest first; `after` is a cursor from an earlier page. */
  async auditEvents(query: AuditQuery): Promise<AuditPage> {
    const problems: InputProblem[] = [];
    if (!Number.isInteger(query.first) || query.first < 1 || query.first > MAX_AUDIT_PAGE)
      problems.push({ field: 'first', message: `must be 1–${MAX_AUDIT_PAGE}` });
    if (query.after !== undefined && !isAuditCursor(query.after)) problems.push({ field: 'after', message: 'must be a cursor from an earlier page' });
    for (const [field, value] of [
      ['filter.since', query.filter.since],
      ['filter.until', query.filter.until],
    ] as const) {
      if (value !== undefined && Number.isNaN(Date.parse(value))) problems.push({ field, message: 'must be an ISO date-time' });
    }
    const { since, until } = query.filter;
    // An empty range is a mistake, not a question with no answer (the page would scan the whole trail for nothing).
    if (since !== undefined && until !== undefined && Date.parse(since) > Date.parse(until))
      problems.push({ field: 'filter.until', message: 'must not be before filter.since' });
    if (problems.length) throw new BadUserInputError(problems);
    return this.options.store.auditEvents(query);
  }

  /** Splits a request into the operation's common fields and one options object per known provider kind. */
  private toSpec<O extends Operation>(operation: O, fields: Readonly<Record<string, unknown>>, problems: InputProblem[]): SpecByOperation[O] {
    const common: Record<string, unknown> = {};
    const options: Record<string, Readonly<Record<string, unknown>>> = {};
    for (const [k, v] of Object.entries(fields)) {
      if (COMMON_FIELDS[operation].has(k)) common[k] = v;
      else options[k] = v as Readonly<Record<string, unknown>>;
    }
    for (const rules of this.options.kinds) {
      const o = options[rules.kind];
      if (o) problems.push(...rules.validateOptions(operation, o));
    }
    // `status` has a default in the schema, but an explicit null means the same as leaving it out.
    return { status: 'ACTIVE', ...common, options: options as ProviderOptions } as unknown as SpecByOperation[O];
  }

  private resolveTargets(operation: Operation, requested: readonly string[] | undefined, problems: InputProblem[], policy?: TargetPolicy): ProviderAdapter[] {
    if (requested === undefined) {
      // "Every provider that can" means every one this client may use: leaving the list out must not widen a policy.
      const capable = this.adapters.filter((a) => a.prepare[operation]);
      const able = capable.filter((a) => !policy || policy.allowsProvider(a.id));
      if (able.length === 0) {
        // Which of the two it is tells the caller whom to ask: the operator's config, or its own policy.
        const why = capable.length === 0 ? `no configured provider can ${operation}` : `no provider this client may use can ${operation}`;
        problems.push({ field: 'providers', message: why });
      }
      return able;
    }
    if (requested.length === 0) {
      problems.push({ field: 'providers', message: 'must name at least one provider (or be omitted for all that can)' });
      return [];
    }
    if (requested.length > this.options.maxTargets) {
      // Checked first and alone: a list of thousands is neither echoed nor looked at further.
      problems.push({ field: 'providers', message: `at most ${this.options.maxTargets} providers per mutation` });
      return [];
    }
    const unknown = [...new Set(requested.filter((id) => !this.byId.has(id)))];
    if (unknown.length) {
      // Name only what the caller sent (the configured ids are for `query { providers }`), and only a few of them.
      const shown = unknown.slice(0, UNKNOWN_IDS_SHOWN).map((id) => JSON.stringify(id.slice(0, 100)));
      const more = unknown.length > UNKNOWN_IDS_SHOWN ? ` and ${unknown.length - UNKNOWN_IDS_SHOWN} more` : '';
      problems.push({ field: 'providers', message: `unknown provider id(s): ${shown.join(', ')}${more}` });
    }
    const wanted = new Set(requested);
    // A repeated id was silently merged before; refusing it tells a client its list does not mean what it thinks.
    if (wanted.size < requested.length) problems.push({ field: 'providers', message: 'must not name a provider twice' });
    // Results follow config order, whatever order the client listed.
    return this.adapters.filter((a) => wanted.has(a.id));
  }

  private explicitKey(fromInput: string | undefined, headers: readonly string[], problems: InputProblem[]): string | undefined {
    if (headers.length > 1) problems.push({ field: 'Idempotency-Key', message: 'header must be sent once' });
    // HTTP strips a header's surrounding white space; the input key gets the same treatment (normalizeInput).
    const fromHeader = headers.length === 1 ? headers[0].trim() : undefined;
    if (fromInput !== undefined && !IDEMPOTENCY_KEY.test(fromInput)) {
      problems.push({ field: 'idempotencyKey', message: 'must be 1–255 printable ASCII characters' });
    } else if (fromInput?.startsWith(DERIVED_PREFIX)) {
      problems.push({
        field: 'idempotencyKey',
        message: `must not start with "${DERIVED_PREFIX}" (reserved for keys the gateway derives: to repeat such a create, send the same input without a key)`,
      });
    }
    if (fromHeader !== undefined && !IDEMPOTENCY_KEY.test(fromHeader)) {
      problems.push({ field: 'Idempotency-Key', message: 'header must be 1–255 printable ASCII characters' });
    } else if (fromHeader?.startsWith(DERIVED_PREFIX)) {
      problems.push({
        field: 'Idempotency-Key',
        message: `header must not start with "${DERIVED_PREFIX}" (reserved for keys the gateway derives: to repeat such a create, send the same input without a key)`,
      });
    }
    if (fromInput !== undefined && fromHeader !== undefined && fromInput !== fromHeader) {
      problems.push({ field: 'idempotencyKey', message: 'differs from the Idempotency-Key header; send one, or the same value in both' });
    }
    return fromInput ?? fromHeader;
  }

  /**
   * Another owner of this record holds some guards busy (docs/idempotency.md, "Lease and takeover"). The lease
   * decides which attempt is stale: holding it, this one takes those guards (the other stalled past its lease,
   * or gave its claim back after a failed phase); not holding it, this one stalled and was taken over: it sends
   * nothing and answers as a request still in progress. The guards it took stay busy under its token until the
   * lease's owner takes them the same way. One more round trip, only then.
   */
  private async settleAttempts(
    caller: Caller,
    ref: RecordRef,
    claim: Extract<ClaimResult, { kind: 'claimed' }>,
    guards: readonly GuardRef[],
    held: GuardClaim[],
    options: GuardOptions,
  ): Promise<GuardClaim[]> {
    const { owner } = claim;
    if (!(await this.options.store.ownsLease(ref, owner))) {
      // Answered as the claim answers a key in progress, and audited as such (the record as this attempt's claim
      // found it): this attempt reached the store.
      this.auditRefused(caller, ref, 'in_progress', claim.previous);
      this.events.idempotency('in_progress');
      throw inProgressConflict(
        ref.key,
        claim.createdAt,
        'A request with this idempotency key is still in progress (this attempt outlived its lease and was taken over); nothing was sent by it. Retry after it finishes.',
      );
    }
    const contested = guards.filter((_, i) => held[i] === 'attempt');
    const taken = await this.options.store.guard(ref, owner, contested, { ...options, leaseHeld: true });
    let next = 0;
    return held.map((h) => (h === 'attempt' ? taken[next++] : h));
  }

  /** Gives the claim back (and answers 503) instead of starting upstream calls during shutdown. */
  private async giveBack(ref: RecordRef, owner: string): Promise<never> {
    await this.options.store.release(ref, owner).catch(() => undefined);
    throw new ServiceUnavailableError('The gateway is shutting down; nothing was sent for this create. Retry with the same idempotency key.', {
      shuttingDown: true,
    });
  }

  private async send(target: Target, caller: Caller): Promise<TargetOutcome> {
    const started = process.hrtime.bigint();
    let outcome: TargetOutcome;
    try {
      outcome = await target.call!.send();
    } catch (err) {
      caller.logger.error({ provider: target.adapter.id, err: (err as Error).message }, 'adapter failed unexpectedly');
      outcome = {
        kind: 'failed',
        failure: {
          code: ProviderErrorCode.INTERNAL,
          message: `unexpected gateway error while calling ${target.adapter.id}; the account may have been created`,
          retryable: false,
        },
      };
    }
    this.options.health.record(target.adapter.id, outcome);
    this.events.targetFinished(target.adapter.id, outcome, Number(process.hrtime.bigint() - started) / 1e9);
    return supportOnly(target.adapter.id, outcome, caller);
  }
}

/**
 * No part of a 5xx body reaches the client, the record or the audit stream (docs/providers.md): a 5xx's
 * request id, which the provider asks be kept for its support, goes to the log alone.
 */
function supportOnly(providerId: string, outcome: TargetOutcome, caller: Caller): TargetOutcome {
  if (outcome.kind !== 'failed' || outcome.failure.upstreamRequestId === undefined || (outcome.failure.httpStatus ?? 0) < 500) return outcome;
  const { upstreamRequestId, ...failure } = outcome.failure;
  caller.logger.warn({ provider: providerId, httpStatus: failure.httpStatus, upstreamRequestId }, 'provider failed; its request id, for its support');
  return { kind: 'failed', failure };
}

const MAX_AUDIT_PAGE = 100;
const REFUSAL_STATUS: Readonly<Record<'reused' | 'in_progress' | 'completed', AuditStatus>> = {
  reused: AuditStatus.IDEMPOTENCY_KEY_REUSED,
  in_progress: AuditStatus.IN_PROGRESS,
  completed: AuditStatus.CONFLICT,
};

/** Ids and codes only: what was created where, never what it was created with. */
function auditTarget(r: TargetRecord | TargetResult, how: { refused?: boolean } = {}): AuditTarget {
  if (r.kind === 'failed') {
    const { code, httpStatus, upstreamRequestId } = r.failure;
    return {
      providerId: r.providerId,
      result: AuditTargetResult.FAILED,
      code,
      ...(httpStatus !== undefined ? { httpStatus } : {}),
      ...(upstreamRequestId ? { upstreamRequestId } : {}),
    };
  }
  const replayed = how.refused === true || ('replayed' in r && r.replayed);
  return { providerId: r.providerId, result: replayed ? AuditTargetResult.REPLAYED : AuditTargetResult.CREATED, id: r.entity.id };
}

function isRerunnable(prior: TargetRecord | undefined): boolean {
  return !prior || (prior.kind === 'failed' && prior.failure.retryable);
}

function operationsOf(adapter: ProviderAdapter): Operation[] {
  return (Object.keys(adapter.prepare) as Operation[]).filter((o) => adapter.prepare[o]);
}

/** UNSUPPORTED and every other failure count against SUCCEEDED; replayed successes count as created. */
export function overallStatus(results: readonly TargetResult[]): CreateStatus {
  const created = results.filter((r) => r.kind === 'created').length;
  if (created === results.length) return CreateStatus.SUCCEEDED;
  return created === 0 ? CreateStatus.FAILED : CreateStatus.PARTIAL;
}

function dedupeProblems(problems: InputProblem[]): InputProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.field}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function unsupported(message: string): TargetFailure {
  return { code: ProviderErrorCode.UNSUPPORTED, message, retryable: false };
}

function guardConflict(t: Target): TargetFailure {
  return {
    code: ProviderErrorCode.CONFLICT,
    message: `another request (with a different idempotency key) has created or is creating this ${t.adapter.id} identity`,
    retryable: false,
  };
}

/** Why a target's guard was not granted (GuardClaim other than true): nothing was sent. */
function refusedGuard(t: Target, claim: GuardClaim): TargetFailure {
  if (claim === 'attempt') return guardHeldByOtherAttempt(t);
  return claim === 'busy' ? guardBusy(t) : claim === 'earlier' ? guardKeptEarlier(t) : guardConflict(t);
}

/**
 * Another attempt of this same idempotency key holds the guard and may still be calling the provider: this one
 * stalled past its lease and the key was taken over, or took it over from one that stalled. Sending now could
 * create the identity twice (docs/idempotency.md). Retryable: a retry of the key reads the outcome.
 */
function guardHeldByOtherAttempt(t: Target): TargetFailure {
  return {
    code: ProviderErrorCode.CONFLICT,
    message: `another attempt of this idempotency key is creating this ${t.adapter.id} identity right now (one of the two outlived its lease); nothing was sent. Retry with the same key to read its outcome`,
    retryable: true,
  };
}

/**
 * An earlier attempt of this same key created (or may have created) the identity, and its record expired
 * before the guard it kept: the key is new to the store, the name is not. Not retryable under this key.
 */
function guardKeptEarlier(t: Target): TargetFailure {
  return {
    code: ProviderErrorCode.CONFLICT,
    message: `an earlier request with this idempotency key, whose record has since expired, created or may have created this ${t.adapter.id} identity; nothing was sent`,
    retryable: false,
  };
}

/**
 * The guard's holder has not finished: it may still fail and give the name back, so this is no lasting
 * answer. Retryable: a retry with the same key tries the guard again (CONFLICT for good once the holder
 * created it). Not sent to the provider, so nothing was created.
 */
function guardBusy(t: Target): TargetFailure {
  return {
    code: ProviderErrorCode.CONFLICT,
    message: `another request (with a different idempotency key) is creating this ${t.adapter.id} identity right now; nothing was sent. Retry with the same key: if that request fails without creating it, this one can go ahead`,
    retryable: true,
    retryAfterSeconds: 1,
  };
}

/**
 * Why an earlier attempt of this key may have created this target's identity: it was running when its lease
 * ran out (a takeover), or it got no clear answer (a timeout, a broken connection, a proxy's 502/504).
 */
function earlierAttempt(takenOverFrom: readonly string[], providerId: string, prior: TargetRecord | undefined): EarlierAttempt | undefined {
  if (takenOverFrom.includes(providerId)) return 'unfinished';
  return unknownOutcome(prior) ? 'unanswered' : undefined;
}

/**
 * The earlier attempt a guard taken back points to. A busy guard: the one the record names (a takeover, an
 * unknown outcome), else none (a lost release or give-back, after an attempt that sent nothing). A kept guard
 * with nothing on record to explain it was kept by an attempt the record does not know: one that stalled past
 * its lease, sent, and whose completion was refused (docs/idempotency.md, "Lease and takeover").
 */
function earlierBehindGuard(
  claim: GuardClaim,
  takenOverFrom: readonly string[],
  providerId: string,
  prior: TargetRecord | undefined,
): EarlierAttempt | undefined {
  if (claim !== 'retaken' && claim !== 'retakenKept') return undefined;
  return earlierAttempt(takenOverFrom, providerId, prior) ?? (claim === 'retakenKept' ? 'unfinished' : undefined);
}

/** An earlier failure that left the identity's existence unknown (a timeout, a broken call, a proxy's 502/504). */
function unknownOutcome(prior: TargetRecord | undefined): boolean {
  return prior?.kind === 'failed' && leavesExistenceUnknown(prior.failure);
}

function leavesExistenceUnknown(failure: TargetFailure): boolean {
  return failure.mayHaveCreated === true || failure.code === ProviderErrorCode.TIMEOUT;
}

/** How an answer names the earlier attempt of its key that may have created the identity. */
const EARLIER_ATTEMPT = {
  unfinished: 'that did not finish',
  unanswered: 'that got no clear answer from this provider',
} as const;
type EarlierAttempt = keyof typeof EARLIER_ATTEMPT;

/**
 * A provider without a duplicate check would create a second identity if a create whose outcome is unknown were
 * sent again: such a failure is not retryable (undici's rule for a non-idempotent request), and says why.
 * Nothing else changes: the guard is kept, as for any unknown outcome.
 */
function notRepeatable(t: Target, outcome: TargetOutcome): TargetOutcome {
  if (outcome.kind === 'created' || !outcome.failure.retryable || !leavesExistenceUnknown(outcome.failure)) return outcome;
  const { retryAfterSeconds: _dropped, ...failure } = outcome.failure;
  return {
    kind: 'failed',
    failure: {
      ...failure,
      mayHaveCreated: true,
      retryable: false,
      message: `${failure.message}; not retryable: ${noDuplicateCheck(t)}`,
    },
  };
}

/** The failure of a target not sent again: an earlier attempt of this key may have created it (notRepeatable). */
function notSentAgain(t: Target, earlier: EarlierAttempt): TargetFailure {
  const what = EARLIER_ATTEMPT[earlier];
  return {
    code: ProviderErrorCode.CONFLICT,
    message: `an earlier attempt with this idempotency key ${what} may have created this ${t.adapter.id} identity, and nothing was sent again: ${noDuplicateCheck(t)}`,
    retryable: false,
    mayHaveCreated: true,
  };
}

function noDuplicateCheck(t: Target): string {
  return `${t.adapter.id} does not refuse a second create of the same identity, so sending it again could create a second one. Check ${t.adapter.id} for it before creating it another way`;
}

/**
 * After such an attempt a failure still says the identity may exist (the flag sticks through later failures),
 * and a provider's CONFLICT most likely means that attempt created it.
 */
function retag(outcome: TargetOutcome, earlier: EarlierAttempt | undefined): TargetOutcome {
  if (!earlier || outcome.kind === 'created') return outcome;
  const what = EARLIER_ATTEMPT[earlier];
  if (outcome.failure.code !== ProviderErrorCode.CONFLICT || outcome.failure.httpStatus === undefined) {
    // This attempt's own failure may say nothing was sent (an open breaker, a refused connection): the identity
    // may exist all the same, and the answer must say so. A failure that says so already keeps its words.
    const message =
      outcome.failure.mayHaveCreated === true
        ? outcome.failure.message
        : `${outcome.failure.message}; an earlier attempt with this idempotency key ${what} may have created it`;
    return { kind: 'failed', failure: { ...outcome.failure, mayHaveCreated: true, message } };
  }
  return {
    kind: 'failed',
    failure: {
      ...outcome.failure,
      mayHaveCreated: true,
      message: `already exists; an earlier attempt with this idempotency key ${what} may have created it (${outcome.failure.message})`,
    },
  };
}

/**
 * Whether a target's identity exists, or may: created, a provider's CONFLICT, a timeout or a connection that
 * broke once the request was under way (`mayHaveCreated`), or a 2xx the gateway could not read (INTERNAL);
 * not a 307/308 redirect it did not follow (`nothingCreated`, INTERNAL too).
 */
function mayExist(outcome: TargetOutcome | undefined): boolean {
  if (!outcome) return false;
  if (outcome.kind === 'created') return true;
  const { code, httpStatus, mayHaveCreated, nothingCreated } = outcome.failure;
  if (nothingCreated === true) return false;
  return (
    mayHaveCreated === true ||
    code === ProviderErrorCode.TIMEOUT ||
    code === ProviderErrorCode.INTERNAL ||
    (code === ProviderErrorCode.CONFLICT && httpStatus !== undefined)
  );
}

/** Everything but the credentials: they exist in this response only. */
function toRecord(r: TargetResult): TargetRecord {
  return r.kind === 'created' ? { providerId: r.providerId, kind: 'created', entity: r.entity } : r;
}

function inProgressConflict(key: string, createdAt: string, message: string): ConflictError {
  return new ConflictError(message, { idempotencyKey: key, inProgress: true, original: { createdAt } });
}

function completedConflict(key: string, record: StoredRecord): ConflictError {
  return new ConflictError('This request was already completed with this idempotency key; nothing was sent again.', {
    idempotencyKey: key,
    original: {
      status: record.status,
      createdAt: record.createdAt,
      results: record.results.map((r) =>
        // id null, not left out: a created target without one must still read as created, not as a missing code.
        r.kind === 'created' ? { providerId: r.providerId, id: r.entity.id ?? null } : { providerId: r.providerId, code: r.failure.code },
      ),
    },
  });
}

/**
 * A store error for a log line, without its message: a store error's message is client wording for a
 * create that never started ("... sent nothing to any provider"), false once providers were called.
 * Its class, code and internal cause instead; an error that is no client answer has an internal message.
 */
function storeFailure(err: unknown): { errorClass: string; code?: string; cause?: string } {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; message?: unknown; extensions?: { cause?: unknown } };
  const cause = typeof e.extensions === 'object' && e.extensions !== null ? e.extensions.cause : e.message;
  return {
    errorClass: typeof e.name === 'string' ? e.name : typeof err,
    code: typeof e.code === 'string' ? e.code : undefined,
    cause: typeof cause === 'string' ? cause.slice(0, 200) : undefined,
  };
}
