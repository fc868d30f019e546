import type { IdempotencyStore, Operation, PreparedCall, PrepareResult, ProviderAdapter, Preparers, TargetOutcome } from '../../src/domain';
import { IdentityService, type IdentityServiceOptions } from '../../src/identity/identity.service';
import { ProviderHealthBook } from '../../src/identity/provider-health.book';

type Spec = { readonly name?: string; readonly email?: string };

export interface FakeAdapterOptions {
  readonly kind?: string;
  /** Operations it has a preparer for (default: both). */
  readonly operations?: readonly Operation[];
  /** Overrides what the preparer returns; undefined falls through to a ready call. */
  readonly prepare?: (spec: Spec) => PrepareResult | undefined;
  /** Whether the fake provider refuses a duplicate natural key (default: it does, as hoop, Unleash and Versori). */
  readonly refusesDuplicates?: boolean;
}

/**
 * A provider adapter with no network: its calls count their sends and answer
 * from a queue (then `created`), so a test sees exactly which targets ran.
 */
export class FakeAdapter implements ProviderAdapter {
  readonly kind: string;
  readonly prepare: Preparers;
  sends = 0;
  readonly specs: Spec[] = [];
  private readonly answers: Array<() => Promise<TargetOutcome>> = [];

  constructor(
    readonly id: string,
    private readonly options: FakeAdapterOptions = {},
  ) {
    this.kind = options.kind ?? 'fake';
    const prepare: Record<string, (spec: Spec) => PrepareResult> = {};
    for (const op of options.operations ?? ['createServiceAccount', 'createUser']) prepare[op] = (spec) => this.prepareCall(spec);
    this.prepare = prepare as Preparers;
  }

  /** The next send answers this. */
  answer(outcome: TargetOutcome | (() => Promise<TargetOutcome>)): this {
    this.answers.push(typeof outcome === 'function' ? outcome : async () => outcome);
    return this;
  }

  async close(): Promise<void> {}

  private prepareCall(spec: Spec): PrepareResult {
    this.specs.push(spec);
    const override = this.options.prepare?.(spec);
    if (override) return override;
    const call: PreparedCall = {
      naturalKey: (spec.name ?? spec.email ?? '').toLowerCase(),
      refusesDuplicates: this.options.refusesDuplicates ?? true,
      request: { method: 'POST', url: `http://fake/${this.id}`, headerNames: ['authorization'], body: { name: spec.name ?? spec.email } },
      send: () => {
        this.sends++;
        const next = this.answers.shift();
        return next ? next() : Promise.resolve(created(this.id));
      },
    };
    return { kind: 'ready', call };
  }
}

export function created(id: string, secret = `secret-of-${id}`): TargetOutcome {
  return { kind: 'created', entity: { id: `${id}-1`, name: 'deploy-bot' }, credentials: [{ kind: 'PERSONAL_ACCESS_TOKEN', secret }] };
}

export function failed(code: 'UNAVAILABLE' | 'RATE_LIMITED' | 'TIMEOUT' | 'CONFLICT' | 'BAD_REQUEST', httpStatus?: number): TargetOutcome {
  const retryable = code === 'UNAVAILABLE' || code === 'RATE_LIMITED' || code === 'TIMEOUT';
  return { kind: 'failed', failure: { code, message: `upstream ${code}`, retryable, ...(httpStatus ? { httpStatus } : {}) } };
}

/** The identity service over fake adapters (kind `fake`, whose options never have problems) and the given store. */
export function fakeIdentityService(
  store: IdempotencyStore,
  adapters: readonly ProviderAdapter[],
  options: Partial<IdentityServiceOptions> = {},
): IdentityService {
  return new IdentityService({
    kinds: [{ kind: 'fake', validateOptions: () => [] }],
    adapters,
    store,
    health: new ProviderHealthBook(),
    hmacKey: 'unit-test-hmac-key',
    maxTargets: 16,
    ...options,
  });
}
