import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, type Dispatcher } from 'undici';
import { connectTimeoutMs, RETRY_POLICY, worstCaseCallMs } from '../../config/retry.policy';
import type { AdapterHealth } from '../../domain';
import { BREAKER_DEFAULTS, type BreakerConfig } from '../../config/provider-base.schema';
import { ProviderCircuit, type AnswerReading } from './circuit.breaker';
import type { HttpOutcome, TransportFailure } from './http-outcome.types';

export interface ProviderHttpClientOptions {
  /** Base URL, possibly with a path (hoop's `/api`): undici's Pool takes only an origin. */
  readonly baseUrl: string;
  /** Deadline of one attempt: connect, headers and body; a 2xx body may use the rest of the call's worst case. */
  readonly timeoutMs: number;
  /** The complete Authorization header value, in the provider's own form. */
  readonly authorization: string;
  /** Absent: the defaults. */
  readonly breaker?: BreakerConfig;
}

const REQUEST_HEADER_NAMES = ['content-type', 'accept', 'authorization'] as const;

/** A provider's answer to one create is small; anything larger is not what its contract promises. */
const MAX_RESPONSE_BYTES = 1_048_576;

/**
 * Errors that prove the request never left: a refused connection, and a host name that did not resolve
 * (a lookup fails before any connection exists). Unreachable-host errors are not here: on a kept-alive
 * connection they can follow a request that was already written.
 */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * One undici Pool per provider. POSTs are not idempotent, so an attempt is
 * repeated only when the connection was refused: the request never left.
 */
export class ProviderHttpClient {
  private readonly pool: Pool;
  /** The pool, with each request's write start marked (markWrites). */
  private readonly dispatcher: Dispatcher;
  private readonly basePath: string;
  private readonly origin: string;
  private readonly circuit: ProviderCircuit;

  constructor(private readonly options: ProviderHttpClientOptions) {
    const url = new URL(options.baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.origin = url.origin;
    this.pool = new Pool(url.origin, {
      connections: 64,
      connect: { timeout: connectTimeoutMs(options.timeoutMs) },
      headersTimeout: options.timeoutMs,
      // Idle time between body chunks; the attempt's own timer governs, and a 2xx body may outlast timeoutMs.
      bodyTimeout: worstCaseCallMs(options.timeoutMs),
      keepAliveTimeout: 4_000,
    });
    this.dispatcher = this.pool.compose(markWrites);
    this.circuit = new ProviderCircuit(options.breaker ?? BREAKER_DEFAULTS);
  }

  /**
   * Every provider call goes through the breaker: while it is open, nothing is sent. `reading` tells
   * the breaker what status an answer of this call stands for, and which 5xx are the provider's answer, not an outage.
   */
  async postJson(path: string, body: unknown, reading?: AnswerReading): Promise<HttpOutcome> {
    const payload = JSON.stringify(body);
    return this.circuit.run(() => this.send(path, payload), reading);
  }

  health(): AdapterHealth {
    return this.circuit.health();
  }

  private async send(path: string, payload: string): Promise<HttpOutcome> {
    // The whole call's budget, the one the lease and the shutdown grace are checked against at start.
    const budgetEnd = Date.now() + worstCaseCallMs(this.options.timeoutMs);
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(path, payload, budgetEnd);
      if (outcome.kind !== 'transport' || !outcome.neverSent || outcome.deadlineSpent || attempt >= RETRY_POLICY.maxRetries) return outcome;
      await sleep(Math.floor(Math.random() * RETRY_POLICY.maxJitterMs) + 1);
      // Sent again only when a whole attempt still fits the budget: one that waited in the pool's queue before
      // it was refused used more than a connect timeout, and the lease counts on the call ending by budgetEnd.
      if (Date.now() + this.options.timeoutMs > budgetEnd) return outcome;
    }
  }

  /** The token this client sends, as a whole header value and without its scheme: never to be echoed. */
  secrets(): readonly string[] {
    const auth = this.options.authorization;
    const token = auth.includes(' ') ? auth.slice(auth.indexOf(' ') + 1) : auth;
    return token === auth ? [auth] : [auth, token];
  }

  /** Where a POST to `path` goes and which headers it carries (names only: one of them holds the token). */
  target(path: string): { method: 'POST'; url: string; headerNames: string[] } {
    return { method: 'POST', url: this.origin + this.basePath + path, headerNames: [...REQUEST_HEADER_NAMES] };
  }

  async close(): Promise<void> {
    this.circuit.shutdown();
    await this.pool.close();
  }

  private async attempt(path: string, payload: string, budgetEnd: number): Promise<HttpOutcome> {
    // Not AbortSignal.timeout(): its timer outlives the call by the whole deadline and keeps the signal, its
    // listeners and through them the request reachable, so every call's objects were promoted to the old
    // generation (docs/performance.md). A timer cleared when the call ends lets them die young.
    const controller = new AbortController();
    const deadline = controller.signal;
    const abort = () => controller.abort(new DOMException('deadline', 'TimeoutError'));
    let timer = setTimeout(abort, this.options.timeoutMs);
    let bodyWithinMs = this.options.timeoutMs;
    const write: WriteMark = { started: false };
    try {
      const res = await settledByDeadlineWhileQueued(
        deadline,
        write,
        this.dispatcher.request({
          method: 'POST',
          path: this.basePath + path,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            authorization: this.options.authorization,
          },
          body: payload,
          signal: deadline,
          // Handed to markWrites; undici passes it through untouched.
          opaque: write,
        }),
      );
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      if (res.statusCode >= 200 && res.statusCode < 300 && !deadline.aborted) {
        // A 2xx means the account exists and its body may hold the only copy of a one-time credential: it may
        // take what is left of the call's whole budget (the connect retries this attempt did not need), which
        // the lease and the shutdown grace already cover (docs/providers.md, "Deadlines").
        clearTimeout(timer);
        timer = setTimeout(abort, Math.max(0, budgetEnd - Date.now()));
        bodyWithinMs = worstCaseCallMs(this.options.timeoutMs);
      }
      let body: string | undefined;
      try {
        body = await this.readBody(res.body, deadline, headers['content-length']);
      } catch (err) {
        // The status line arrived: the provider answered, and a 2xx may have created the account. Not a
        // transport failure, which would call the create retryable.
        return { kind: 'unread', status: res.statusCode, headers, reason: this.unreadReason(err, deadline, bodyWithinMs) };
      }
      if (body === undefined) {
        return { kind: 'unread', status: res.statusCode, headers, reason: `a body over ${MAX_RESPONSE_BYTES} bytes, which the gateway does not read` };
      }
      return { kind: 'response', status: res.statusCode, headers, body };
    } catch (err) {
      return this.toTransportFailure(err, deadline, write);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Undefined when the body exceeds the cap: the provider did answer, so this is no transport failure. */
  private async readBody(stream: AsyncIterable<Buffer> & { destroy(): void }, deadline: AbortSignal, contentLength?: string): Promise<string | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        stream.destroy();
        return undefined;
      }
      chunks.push(chunk);
    }
    // A deadline that fired as the last chunk arrived does not take back a body known to be whole (it may
    // carry the only copy of a one-time credential); without a length, whole cannot be told from cut.
    if (deadline.aborted && (contentLength === undefined || Number(contentLength) !== size)) throw deadline.reason;
    return Buffer.concat(chunks).toString('utf8');
  }

  private unreadReason(err: unknown, deadline: AbortSignal, withinMs: number): string {
    const code = errorCode(err);
    if (deadline.aborted || TIMEOUT_CODES.has(code)) return `a body that was not complete within ${withinMs} ms`;
    return `a body that broke off (${code || 'connection failed'})`;
  }

  private toTransportFailure(err: unknown, deadline: AbortSignal, write: WriteMark): TransportFailure {
    const code = errorCode(err);
    if (deadline.aborted && !write.started) {
      // The deadline came while the request waited for a connection (all 64 busy, or one still connecting):
      // not a byte of it was written, so nothing can exist upstream. A TIMEOUT would read as a possible create,
      // keep the name's guard for the whole TTL, and on a provider without a duplicate check forbid a retry.
      return {
        kind: 'transport',
        code: 'UNAVAILABLE',
        reason: `no connection to it was ready within ${this.options.timeoutMs} ms`,
        neverSent: true,
        deadlineSpent: true,
      };
    }
    if (deadline.aborted || TIMEOUT_CODES.has(code)) {
      return { kind: 'transport', code: 'TIMEOUT', reason: `no complete answer within ${this.options.timeoutMs} ms`, neverSent: false };
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      return { kind: 'transport', code: 'UNAVAILABLE', reason: 'connect timeout', neverSent: true };
    }
    // Anything else (a reset, a closed socket, a failed TLS handshake, headers over undici's limit): before undici
    // began writing the request (a new connection that failed), nothing reached the provider, and it may be sent
    // again; once it had, the outcome is unknown, so it is not re-sent and is reported as a possible create.
    return { kind: 'transport', code: 'UNAVAILABLE', reason: code || 'connection failed', neverSent: NEVER_SENT_CODES.has(code) || !write.started };
  }
}

/** Set once undici starts writing the request on a socket; until then it waits in the pool's queue or for a connect. */
interface WriteMark {
  started: boolean;
}

/**
 * An undici interceptor: undici calls a handler's onRequestStart (its old onConnect) right before it writes the
 * request's headers (client-h1 `writeH1`), never while the request is queued or its connection is being made.
 */
function markWrites(dispatch: Dispatcher['dispatch']): Dispatcher['dispatch'] {
  return (opts, handler) => {
    const { opaque, signal } = opts as { opaque?: unknown; signal?: AbortSignal };
    const write = opaque as WriteMark | undefined;
    if (!write || typeof write !== 'object' || !('started' in write)) return dispatch(opts, handler);
    // undici's own handler style (onConnect…), as request()'s handler has: a handler of the newer style would be
    // converted on every call, its headers parsed and rebuilt (about 15% more CPU per call, measured).
    const inner = handler as unknown as LegacyHandler;
    const marked: LegacyHandler = {
      onConnect: (abort, context) => {
        // Its deadline passed while it waited for a connection: failed here, unwritten, by a throw that undici
        // (client-h1 writeH1) turns into this request's error; an abort would also destroy a good kept-alive socket.
        if (signal?.aborted) throw signal.reason;
        let aborted = false;
        inner.onConnect((reason) => {
          aborted = true;
          abort(reason);
        }, context);
        if (!aborted) write.started = true;
      },
      onResponseStarted: () => inner.onResponseStarted?.(),
      onHeaders: (statusCode, rawHeaders, resume, statusMessage) => inner.onHeaders(statusCode, rawHeaders, resume, statusMessage),
      onData: (chunk) => inner.onData(chunk),
      onComplete: (trailers) => inner.onComplete(trailers),
      onError: (err) => inner.onError(err),
      onUpgrade: (statusCode, rawHeaders, socket) => inner.onUpgrade?.(statusCode, rawHeaders, socket),
    };
    return dispatch(opts, marked as unknown as Dispatcher.DispatchHandler);
  };
}

/** undici's handler interface before version 7 (still what request() uses, and what undici calls natively). */
interface LegacyHandler {
  onConnect(abort: (reason?: unknown) => void, context?: unknown): void;
  onResponseStarted?(): void;
  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusMessage?: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: Buffer[] | null): void;
  onError(err: Error): void;
  onUpgrade?(statusCode: number, rawHeaders: Buffer[], socket: unknown): void;
}

/**
 * undici settles a request aborted while it waits for a connection only once a connection takes it (and
 * aborts it unwritten): with all 64 busy that can be long after its deadline, past the call's budget the
 * lease is checked against. The attempt ends at its deadline instead; the queued request dies unwritten.
 */
function settledByDeadlineWhileQueued<T>(deadline: AbortSignal, write: WriteMark, request: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onDeadline = () => {
      if (!write.started) reject(deadline.reason);
    };
    deadline.addEventListener('abort', onDeadline, { once: true });
    request.then(
      (value) => {
        deadline.removeEventListener('abort', onDeadline);
        resolve(value);
      },
      (err: unknown) => {
        deadline.removeEventListener('abort', onDeadline);
        reject(err);
      },
    );
  });
}

function errorCode(err: unknown): string {
  let cur: unknown = err;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string') return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return '';
}
