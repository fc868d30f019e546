import CircuitBreaker from 'opossum';
import type { BreakerConfig } from '../../config/provider-base.schema';
import { CircuitState, type AdapterHealth } from '../../domain';
import type { HttpOutcome, HttpResponse, TransportFailure } from './http-outcome.types';

/**
 * How an adapter reads an answer for the breaker (docs/providers.md): the status it stands for (the generic
 * API carries an error status inside a 200) and whether a 5xx is a deliberate answer (Unleash answers a
 * duplicate username with a 500). Absent: the HTTP status, and every 5xx an outage.
 */
export interface AnswerReading {
  statusOf(res: HttpResponse): number;
  deliberate(res: HttpResponse): boolean;
}

/**
 * Outages, not answers: a 4xx is the provider rejecting this input and
 * proves it is up. A 429 does not count either: it is a deliberate answer
 * that carries its own Retry-After, which the client gets as RATE_LIMITED;
 * an open breaker would replace that precise hint with a generic
 * UNAVAILABLE for every caller. Nor does a 5xx the provider's adapter reads
 * as an answer: a client repeating a taken username would otherwise shut
 * the provider for every caller (docs/providers.md, "Circuit breaker").
 */
export function isOutage(outcome: HttpOutcome, reading?: AnswerReading): boolean {
  if (outcome.kind === 'transport') return true;
  const status = outcome.kind === 'response' && reading ? reading.statusOf(outcome) : outcome.status;
  if (status < 500) return false;
  return !(outcome.kind === 'response' && reading?.deliberate(outcome));
}

class Outage extends Error {
  constructor(readonly outcome: HttpOutcome) {
    super('provider outage');
  }
}

/** One provider's breaker (opossum) around whole calls, connect-refused retries included. */
export class ProviderCircuit {
  private readonly breaker: CircuitBreaker<[() => Promise<HttpOutcome>, AnswerReading | undefined], HttpOutcome>;
  private openedAt = 0;
  private rejected = 0;

  constructor(private readonly settings: BreakerConfig) {
    this.breaker = new CircuitBreaker(
      async (run: () => Promise<HttpOutcome>, reading: AnswerReading | undefined) => {
        const outcome = await run();
        if (isOutage(outcome, reading)) throw new Outage(outcome);
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

  async run(call: () => Promise<HttpOutcome>, reading?: AnswerReading): Promise<HttpOutcome> {
    try {
      return await this.breaker.fire(call, reading);
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
