import CircuitBreaker from 'opossum';
import type { BreakerConfig } from '../../config/provider-base.schema';
import { CircuitState, type AdapterHealth } from '../../domain';
import type { HttpOutcome, TransportFailure } from './http-outcome.types';

/**
 * Outages, not answers: a 4xx is the provider rejecting this input and
 * proves it is up. A 429 does not count either: it is a deliberate answer
 * that carries its own Retry-After, which the client gets as RATE_LIMITED;
 * an open breaker would replace that precise hint with a generic
 * UNAVAILABLE for every caller (docs/providers.md, "Circuit breaker").
 */
export function isOutage(outcome: HttpOutcome): boolean {
  return outcome.kind === 'transport' || outcome.status >= 500;
}

class Outage extends Error {
  constructor(readonly outcome: HttpOutcome) {
    super('provider outage');
  }
}

/** One provider's breaker (opossum) around whole calls, connect-refused retries included. */
export class ProviderCircuit {
  private readonly breaker: CircuitBreaker<[() => Promise<HttpOutcome>], HttpOutcome>;
  private openedAt = 0;
  private rejected = 0;

  constructor(private readonly settings: BreakerConfig) {
    this.breaker = new CircuitBreaker(
      async (run: () => Promise<HttpOutcome>) => {
        const outcome = await run();
        if (isOutage(outcome)) throw new Outage(outcome);
        return outcome;
      },
      {
        enabled: settings.enabled,
        // The HTTP client has its own deadlines; opossum's timeout would not cancel the request.
        timeout: false,
        resetTimeout: settings.resetTimeoutMs,
        volumeThreshold: settings.failureThreshold,
        errorThresholdPercentage: settings.errorThresholdPercentage,
        rollingCountTimeout: settings.rollingWindowMs,
        rollingCountBuckets: 10,
      },
    );
    this.breaker.on('open', () => (this.openedAt = Date.now()));
  }

  async run(call: () => Promise<HttpOutcome>): Promise<HttpOutcome> {
    try {
      return await this.breaker.fire(call);
    } catch (err) {
      if (err instanceof Outage) return err.outcome;
      if ((err as { code?: unknown })?.code === 'EOPENBREAKER') {
        this.rejected++;
        // 0 while a half-open trial is under way: its answer decides within one deadline.
        const retryAfterMs = this.breaker.opened ? Math.max(0, this.openedAt + this.settings.resetTimeoutMs - Date.now()) : 0;
        const open: TransportFailure = { kind: 'transport', code: 'CIRCUIT_OPEN', reason: 'circuit breaker open', neverSent: true, retryAfterMs };
        return open;
      }
      throw err;
    }
  }

  health(): AdapterHealth {
    const circuit = this.breaker.opened ? CircuitState.OPEN : this.breaker.halfOpen ? CircuitState.HALF_OPEN : CircuitState.CLOSED;
    return { circuit, shortCircuited: this.rejected };
  }

  /** Stops its timers. */
  shutdown(): void {
    this.breaker.shutdown();
  }
}
