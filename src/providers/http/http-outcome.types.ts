/**
 * Everything a provider call can end in. Adapters see only this: never a raw
 * socket error, never an undici class.
 */
export type HttpOutcome = HttpResponse | UnreadResponse | TransportFailure;

export interface HttpResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Raw body text. May hold SQL or stack traces on 5xx: adapters must not forward it. */
  readonly body: string;
}

/**
 * The provider answered (the status is known) but its body was not read: over the response cap, broken
 * off, or not complete before the deadline. A 2xx of this kind may have created the account.
 */
export interface UnreadResponse {
  readonly kind: 'unread';
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Completes "answered HTTP 201 with …": e.g. `a body over 1048576 bytes, which the gateway does not read`. */
  readonly reason: string;
}

export interface TransportFailure {
  readonly kind: 'transport';
  /**
   * UNAVAILABLE: could not connect, or the connection broke. TIMEOUT: the
   * deadline passed. CIRCUIT_OPEN: the provider's breaker is open, nothing was sent.
   */
  readonly code: 'UNAVAILABLE' | 'TIMEOUT' | 'CIRCUIT_OPEN';
  /** Short, secret-free reason such as `ECONNREFUSED` or `deadline 5000 ms`. */
  readonly reason: string;
  /** True when the request provably never reached the provider. */
  readonly neverSent: boolean;
  /** The attempt used its whole deadline (waiting for a connection): not sent again, however little was sent. */
  readonly deadlineSpent?: boolean;
  /** CIRCUIT_OPEN only: until the breaker lets a trial call through. */
  readonly retryAfterMs?: number;
}
