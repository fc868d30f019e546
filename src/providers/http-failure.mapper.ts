import { isRetryable, ProviderErrorCode, type TargetFailure } from '../domain';
import type { AnswerReading } from './http/circuit.breaker';
import type { HttpResponse, TransportFailure } from './http/http-outcome.types';

const MAX_MESSAGE = 300;
/**
 * What of a provider's message is scrubbed before the 300-character cut: enough for a secret (of any length the
 * gateway sends, in any encoding scrub decodes) that straddles the cut, and a bound on scrub's work for a
 * provider that answers with a megabyte of text.
 */
const SCRUBBED_PREFIX = 16_384;

export interface FailureQuirks {
  /** Pulls the human message out of a parsed JSON error body (4xx only ever). */
  messageOf(json: unknown): string | undefined;
  /**
   * Provider-specific reclassification. Sees the raw body so it can recognise
   * e.g. a SQL duplicate-key 500; whatever it returns as `message` must be our
   * own words, never body text.
   */
  classify?(res: HttpResponse, json: unknown): { code: ProviderErrorCode; message?: string } | undefined;
  /** The provider's id of the request, from a parsed JSON body of any status (the generic envelope's `requestId`). */
  requestIdOf?(json: unknown): string | undefined;
  /**
   * The error status a 2xx body carries instead of its own (the generic envelope's `code`), or undefined when it
   * carries none. Such an answer is that status in every respect: its code, its hint, the breaker's view.
   */
  statusInside?(json: unknown): number | undefined;
}

/**
 * The breaker's view of an answer (AnswerReading): the status a generic envelope carries inside a 200 is that
 * status, so a run of them opens the breaker as real 5xx would; a 5xx the provider's quirks read as a lasting
 * answer (Unleash's duplicate-key 500 is CONFLICT) is the provider working, not an outage. Undefined without
 * quirks that could say either.
 */
export function answerReading(quirks: FailureQuirks): AnswerReading | undefined {
  const { classify } = quirks;
  if (!classify && !quirks.statusInside) return undefined;
  return {
    statusOf: (res) => statusCarried(res, quirks),
    deliberate: (res) => {
      const code = classify?.(res, undefined)?.code;
      return code !== undefined && !isRetryable(code);
    },
  };
}

/** The status an answer stands for: its own, or (a 2xx) the error status its body carries. */
export function statusCarried(res: HttpResponse, quirks: FailureQuirks): number {
  if (!quirks.statusInside || res.status < 200 || res.status >= 300) return res.status;
  const json = parseJsonText(res.body);
  parsedBodies.set(res, json);
  return (json !== undefined ? quirks.statusInside(json) : undefined) ?? res.status;
}

/** Bodies the breaker's reading parsed already (statusCarried), so a 2xx is parsed once per call, not twice. */
const parsedBodies = new WeakMap<HttpResponse, unknown>();

/** A 2xx body's JSON, or undefined: what statusCarried parsed, else parsed now. */
export function responseJson(res: HttpResponse): unknown {
  return parsedBodies.has(res) ? parsedBodies.get(res) : parseJsonText(res.body);
}

export function statusToCode(status: number): ProviderErrorCode {
  if (status === 400 || status === 422) return ProviderErrorCode.BAD_REQUEST;
  if (status === 401) return ProviderErrorCode.UNAUTHORIZED;
  if (status === 403) return ProviderErrorCode.FORBIDDEN;
  if (status === 404) return ProviderErrorCode.NOT_FOUND;
  if (status === 409) return ProviderErrorCode.CONFLICT;
  if (status === 429) return ProviderErrorCode.RATE_LIMITED;
  if (status >= 500) return ProviderErrorCode.UNAVAILABLE;
  if (status >= 400) return ProviderErrorCode.BAD_REQUEST;
  return ProviderErrorCode.INTERNAL;
}

export function failure(code: ProviderErrorCode, message: string, extra: Partial<TargetFailure> = {}): TargetFailure {
  return { code, message, retryable: isRetryable(code), ...extra };
}

export function transportFailure(providerId: string, t: TransportFailure): TargetFailure {
  if (t.code === 'CIRCUIT_OPEN') {
    const seconds = Math.ceil((t.retryAfterMs ?? 0) / 1000);
    return failure(
      ProviderErrorCode.UNAVAILABLE,
      `${providerId} is failing: its circuit breaker is open, so the gateway did not call it (nothing was sent; ${seconds > 0 ? `a trial call is allowed in about ${seconds} s` : 'a trial call is under way'})`,
      seconds > 0 ? { retryAfterSeconds: seconds } : {},
    );
  }
  const code = t.code === 'TIMEOUT' ? ProviderErrorCode.TIMEOUT : ProviderErrorCode.UNAVAILABLE;
  // Only a refused connection or a connect timeout proves nothing was sent; any later break leaves the
  // outcome unknown, exactly as a timeout does (a POST is never re-sent then: docs/providers.md).
  if (t.neverSent) return failure(code, `${providerId} could not be reached (${t.reason}); nothing was sent`);
  const message =
    t.code === 'TIMEOUT'
      ? `${providerId} gave no complete answer in time (${t.reason}); the account may or may not have been created`
      : `${providerId}: the connection failed once the request was under way (${t.reason}); the account may or may not have been created`;
  return failure(code, message, { mayHaveCreated: true });
}

/**
 * Status first, body second. Only a parsed JSON message of a 4xx (not 429)
 * reaches the client, trimmed; 5xx bodies and HTML pages never do.
 * `scrub` runs on the provider's message before it is trimmed: a secret cut
 * in half by the trim, or stripped of a trailing space, would no longer match.
 */
export function httpFailure(
  providerId: string,
  res: HttpResponse,
  quirks: FailureQuirks,
  scrub: (message: string) => string = (m) => m,
  how: { readonly insideBody?: boolean } = {},
): TargetFailure {
  const messageShown = res.status >= 400 && res.status < 500 && res.status !== 429;
  const parsed = messageShown || quirks.requestIdOf ? parseJson(res) : undefined;
  const json = messageShown ? parsed : undefined;
  const special = quirks.classify?.(res, json);
  const code = special?.code ?? statusToCode(res.status);
  const upstreamMessage = json === undefined ? undefined : quirks.messageOf(json);
  // A 502 or 504 is usually a proxy's: the provider behind it may have received the request and created the account.
  const viaProxy = special === undefined && !how.insideBody && (res.status === 502 || res.status === 504);
  // 307 and 308 tell the client to send the same request elsewhere: nothing was done here (the gateway follows
  // no redirect). 301, 302 and 303 are also how a server answers a POST it carried out (Post/Redirect/Get;
  // RFC 9110 lets clients treat 301/302 as 303 for a POST), so they stay possible creates.
  const redirected = special === undefined && !how.insideBody && (res.status === 307 || res.status === 308);
  const message =
    special?.message ??
    (upstreamMessage
      ? scrubbedMessage(upstreamMessage, scrub)
      : `${providerId} answered ${how.insideBody ? 'code' : 'HTTP'} ${res.status}${
          viaProxy
            ? ' (usually a proxy in front of it); the account may or may not have been created'
            : redirected
              ? " (a redirect, which the gateway does not follow: check the provider's baseUrl); nothing was created"
              : ''
        }`);
  const extra: Partial<TargetFailure> = {
    httpStatus: res.status,
    ...upstreamRequestId(quirks.requestIdOf?.(parsed)),
    ...(viaProxy ? { mayHaveCreated: true } : {}),
    ...(redirected ? { nothingCreated: true } : {}),
  };
  // A 429's hint, and a 503's (RFC 9110: how long the provider expects to be unavailable).
  if (code === ProviderErrorCode.RATE_LIMITED || (code === ProviderErrorCode.UNAVAILABLE && res.status === 503)) {
    const after = retryAfterSeconds(res.headers);
    if (after !== undefined) (extra as { retryAfterSeconds?: number }).retryAfterSeconds = after;
  }
  return failure(code, message, extra);
}

/**
 * A provider's request id as the failure keeps it: printable ASCII without spaces, at most 128 characters;
 * anything else is not an id and is dropped (it is shown to clients and written to logs).
 */
export function upstreamRequestId(id: string | undefined): Pick<TargetFailure, 'upstreamRequestId'> {
  return id !== undefined && /^[\x21-\x7e]{1,128}$/.test(id) ? { upstreamRequestId: id } : {};
}

/** An error answer's JSON, when its type says JSON or its body looks like it (HTML pages are not parsed). */
export function parseJson(res: HttpResponse): unknown {
  const type = res.headers['content-type'] ?? '';
  if (!/json/i.test(type) && !/^\uFEFF?\s*[{[]/.test(res.body)) return undefined;
  return parseJsonText(res.body);
}

/** JSON text, or undefined. A byte-order mark is legal before it (RFC 8259 lets a parser ignore it); JSON.parse refuses it. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}

/** A provider's own words as a client may see them: secrets scrubbed first (on a bounded prefix), then trimmed. */
export function scrubbedMessage(message: string, scrub: (message: string) => string): string {
  return trimMessage(scrub(message.slice(0, SCRUBBED_PREFIX)));
}

export function trimMessage(message: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (clean.length <= MAX_MESSAGE) return clean;
  // Never half a surrogate pair: a lone surrogate is not valid UTF-8 in the answer or the record.
  const cut = /[\uD800-\uDBFF]/.test(clean[MAX_MESSAGE - 2]) ? MAX_MESSAGE - 2 : MAX_MESSAGE - 1;
  return `${clean.slice(0, cut)}…`;
}

/**
 * A hint is capped at a day: a client told to wait longer learns nothing more useful, and GraphQL's Int
 * ends at 2^31 - 1 (a provider's `Retry-After: 99999999999` failed the whole field as an internal error).
 */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

/**
 * Retry-After as seconds or HTTP date; RateLimit-Reset as a fallback, also when Retry-After is there but
 * unreadable. A fractional number of seconds (not HTTP, but sent) is rounded up. Any other value without a
 * letter is no date, though `Date.parse` reads `1.5` as 2001-01-05 and `-5` as a year BC: both became
 * "retry now". Such a hint is dropped.
 */
export function retryAfterSeconds(headers: Readonly<Record<string, string | undefined>>): number | undefined {
  return secondsFrom(headers['retry-after']) ?? secondsFrom(headers['ratelimit-reset']);
}

function secondsFrom(value: string | undefined): number | undefined {
  const raw = value?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.min(Math.ceil(Number(raw)), MAX_RETRY_AFTER_SECONDS);
  if (!/[A-Za-z]/.test(raw)) return undefined;
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, Math.ceil((date - Date.now()) / 1000)), MAX_RETRY_AFTER_SECONDS);
}

export function messageField(json: unknown): string | undefined {
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  return undefined;
}
