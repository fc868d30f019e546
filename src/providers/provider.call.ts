import {
  ProviderErrorCode,
  REDACTED,
  SECRET_FIELDS,
  type CreatedEntity,
  type IssuedCredential,
  type TargetFailure,
  type TargetOutcome,
  type UpstreamRequestDescription,
} from '../domain';
import {
  answerReading,
  failure,
  httpFailure,
  responseJson,
  scrubbedMessage,
  transportFailure,
  upstreamRequestId,
  type FailureQuirks,
} from './http-failure.mapper';
import type { UnreadResponse } from './http/http-outcome.types';
import type { ProviderHttpClient } from './http/provider-http.client';
import { callSecrets, quotedForms, scrub, type CallSecrets } from './secret.scrubber';

/** A readable 2xx: what was created, or (generic envelopes) an error carried inside a 200, its message untrimmed. */
export type SuccessRead = { entity: CreatedEntity; credentials: IssuedCredential[] } | { failure: TargetFailure };

export interface ProviderCall {
  readonly providerId: string;
  readonly http: ProviderHttpClient;
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly quirks: FailureQuirks;
  /** Reads a 2xx body; returns undefined when it is not what the contract promises. */
  /** `status`: the 2xx it came with, for a failure read from a success answer. */
  readonly readSuccess: (json: unknown, status: number) => SuccessRead | undefined;
}

/** The one path every adapter request takes: send, then map transport, error or success. */
export async function sendProviderCall(call: ProviderCall): Promise<TargetOutcome> {
  // A provider may quote what it was sent (its token, a password) in a 4xx message, and that message is
  // shown to the client and kept in the idempotency record: scrub every secret of this call from it.
  // The provider's own text is scrubbed before it is trimmed (httpFailure); the final message once more.
  let secrets: CallSecrets | undefined;
  const clean = (message: string) => scrub(message, (secrets ??= secretsOf(call)));
  const outcome = await mapOutcome(call, clean);
  if (outcome.kind === 'created') return { ...outcome, entity: withoutSecrets(outcome.entity, secretValuesOf(call)) };
  const { upstreamRequestId, ...failure } = outcome.failure;
  // A request id is shown as it is, never scrubbed into something else: one that holds a secret is dropped.
  const id = upstreamRequestId !== undefined && clean(upstreamRequestId) === upstreamRequestId ? { upstreamRequestId } : {};
  return { kind: 'failed', failure: { ...failure, message: clean(failure.message), ...id } };
}

async function mapOutcome(call: ProviderCall, clean: (message: string) => string): Promise<TargetOutcome> {
  const outcome = await call.http.postJson(call.path, stripUndefined(call.body), answerReading(call.quirks));
  if (outcome.kind === 'transport') return { kind: 'failed', failure: transportFailure(call.providerId, outcome) };
  if (outcome.kind === 'unread') return { kind: 'failed', failure: unreadFailure(call.providerId, outcome, call.quirks) };
  if (outcome.status < 200 || outcome.status >= 300) {
    return { kind: 'failed', failure: httpFailure(call.providerId, outcome, call.quirks, clean) };
  }
  const json = responseJson(outcome);
  // An error status carried inside the 2xx (generic envelopes) is that status, headers and all (a 429's Retry-After).
  const inside = json === undefined ? undefined : call.quirks.statusInside?.(json);
  if (inside !== undefined) {
    return { kind: 'failed', failure: httpFailure(call.providerId, { ...outcome, status: inside }, call.quirks, clean, { insideBody: true }) };
  }
  const read = json === undefined ? undefined : safeRead(call.readSuccess, json, outcome.status);
  if (!read) {
    // The provider's id of the request is what its support needs to find what happened to this one.
    const id = json === undefined ? {} : upstreamRequestId(call.quirks.requestIdOf?.(json));
    return { kind: 'failed', failure: { ...unreadable2xx(call.providerId, outcome.status, 'a body the gateway cannot read'), ...id } };
  }
  // An error inside a 200 (generic envelopes) carries the provider's own text: scrubbed, then trimmed, as httpFailure does.
  if ('failure' in read) return { kind: 'failed', failure: { ...read.failure, message: scrubbedMessage(read.failure.message, clean) } };
  return { kind: 'created', ...read, httpStatus: outcome.status };
}

/** The request `sendProviderCall` would make, for a plan: secrets in the body replaced. */
export function describeProviderCall(call: Pick<ProviderCall, 'http' | 'path' | 'body'>): UpstreamRequestDescription {
  return { ...call.http.target(call.path), body: redact(stripUndefined(call.body)) as Record<string, unknown> };
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_FIELDS.has(k) ? REDACTED : redact(v)]));
  }
  return value;
}

/**
 * A 2xx whose body was not read (too large, broken off, late) may still have created the account:
 * INTERNAL, not retryable, as any unreadable 2xx. An error status keeps its usual code.
 */
function unreadFailure(providerId: string, o: UnreadResponse, quirks: FailureQuirks) {
  if (o.status >= 200 && o.status < 300) return unreadable2xx(providerId, o.status, o.reason);
  return httpFailure(providerId, { kind: 'response', status: o.status, headers: o.headers, body: '' }, quirks);
}

/** A 2xx the gateway could not read (not JSON, not the contract's shape, too large, broken off) may still have created the account: not retryable. */
function unreadable2xx(providerId: string, status: number, what: string) {
  return failure(ProviderErrorCode.INTERNAL, `${providerId} answered HTTP ${status} with ${what}; the account may have been created`, { httpStatus: status });
}

/** The values of this call that are secrets: the provider token (with and without its scheme) and secret body fields. */
function secretValuesOf(call: ProviderCall): string[] {
  const found = [...call.http.secrets()];
  const walk = (v: unknown, secret: boolean): void => {
    if (typeof v === 'string' && secret) found.push(v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, secret));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, secret || SECRET_FIELDS.has(k));
  };
  walk(call.body, false);
  return found;
}

function secretsOf(call: ProviderCall): CallSecrets {
  return callSecrets(secretValuesOf(call));
}

/**
 * What was created, as the answer and the idempotency record keep it: a provider that echoes a secret it was
 * sent (hoop quotes the password back; one might put it in `name`) must not put it in the record or in the
 * answer's account. A field that is one of this call's secrets (4 characters or more, any case), or holds
 * one of 8 or more as sent, URL-encoded or JSON-escaped, reads `<redacted>`. Shorter secrets are looked for
 * as the whole field only: a password "acme.io" must not blank the e-mail bob@acme.io.
 */
function withoutSecrets(entity: CreatedEntity, secrets: readonly string[]): CreatedEntity {
  const whole = secrets.filter((s) => s.length >= 4).map((s) => s.toLowerCase());
  const inside = secrets
    .filter((s) => s.length >= MIN_SECRET_INSIDE)
    .flatMap(quotedForms)
    .map((s) => s.toLowerCase());
  const out: Record<string, string | undefined> = { ...entity };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== 'string') continue;
    const lower = v.toLowerCase();
    if (whole.includes(lower.trim()) || inside.some((s) => lower.includes(s))) out[k] = REDACTED;
  }
  return out as CreatedEntity;
}

/** A secret this long is found inside a field; a shorter one only as the whole field (see withoutSecrets). */
const MIN_SECRET_INSIDE = 8;

function safeRead<T>(read: (json: unknown, status: number) => T | undefined, json: unknown, status: number): T | undefined {
  try {
    return read(json, status);
  } catch {
    return undefined;
  }
}

function stripUndefined(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

/** Small readers for provider JSON: tolerant of extra fields, strict about what we rely on. */
export function asObject(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
export function optString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
/** An id worth showing: a string or number, not blank. */
export function requireId(v: unknown): string | undefined {
  const s = optString(v);
  return s && s.trim().length > 0 ? s : undefined;
}
