import type { HealthState, ProviderErrorCode, TargetOutcome } from '../domain';

export interface ProviderHealthSnapshot {
  readonly state: HealthState;
  readonly lastSuccessAt?: string;
  readonly lastFailureAt?: string;
  readonly lastFailureCode?: ProviderErrorCode;
  readonly consecutiveFailures: number;
}

/** Outages, not client mistakes, make a provider look unwell. */
const OUTAGE_CODES = new Set<string>(['UNAVAILABLE', 'TIMEOUT', 'RATE_LIMITED', 'UNAUTHORIZED', 'INTERNAL']);

/**
 * Passive health: what recent real calls saw. The gateway never probes a
 * provider (a probe of a create API would have side effects or need extra
 * permissions).
 */
export class ProviderHealthBook {
  private readonly entries = new Map<string, { lastSuccessAt?: number; lastFailureAt?: number; lastFailureCode?: ProviderErrorCode; consecutive: number }>();

  record(providerId: string, outcome: TargetOutcome): void {
    const e = this.entries.get(providerId) ?? { consecutive: 0 };
    if (outcome.kind === 'created') {
      e.lastSuccessAt = Date.now();
      e.consecutive = 0;
    } else if (!OUTAGE_CODES.has(outcome.failure.code)) {
      // The provider answered (a rejection of this input): up, but not a success.
      e.consecutive = 0;
    } else {
      e.lastFailureAt = Date.now();
      e.lastFailureCode = outcome.failure.code;
      e.consecutive++;
    }
    this.entries.set(providerId, e);
  }

  snapshot(providerId: string): ProviderHealthSnapshot {
    const e = this.entries.get(providerId);
    if (!e) return { state: 'UNKNOWN', consecutiveFailures: 0 };
    return {
      state: e.consecutive > 0 ? 'DEGRADED' : 'HEALTHY',
      lastSuccessAt: e.lastSuccessAt ? new Date(e.lastSuccessAt).toISOString() : undefined,
      lastFailureAt: e.lastFailureAt ? new Date(e.lastFailureAt).toISOString() : undefined,
      lastFailureCode: e.lastFailureCode,
      consecutiveFailures: e.consecutive,
    };
  }
}
