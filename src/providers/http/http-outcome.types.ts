/**
 * Everything a provider call can end in. Adapters see only this: never a raw
 * socket error, never an undici class.
 */
export type HttpOutcome = HttpResponse | TransportFailure;

export interface HttpResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Raw body text. May hold SQL or stack traces on 5xx: adapters must not forward it. */
  readonly body: string;
}

export interface TransportFailure {
  readonly kind: 'transport';
  /** UNAVAILABLE: could not connect, or the connection broke. TIMEOUT: the deadline passed. */
  readonly code: 'UNAVAILABLE' | 'TIMEOUT';
  /** Short, secret-free reason such as `ECONNREFUSED` or `deadline 5000 ms`. */
  readonly reason: string;
  /** True when the request provably never reached the provider. */
  readonly neverSent: boolean;
}
