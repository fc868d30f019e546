import { ProviderErrorCode } from '../../src/domain';
import {
  httpFailure,
  messageField,
  parseJson,
  retryAfterSeconds,
  statusToCode,
  transportFailure,
  trimMessage,
  type FailureQuirks,
} from '../../src/providers/http-failure.mapper';
import type { HttpOutcome, HttpResponse } from '../../src/providers/http/http-outcome.types';
import type { ProviderHttpClient } from '../../src/providers/http/provider-http.client';
import { sendProviderCall } from '../../src/providers/provider.call';

const quirks: FailureQuirks = { messageOf: messageField };
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
const HTML_TYPE = { 'content-type': 'text/html; charset=utf-8' };

function res(status: number, body: unknown = '', headers: Record<string, string> = {}): HttpResponse {
  return { kind: 'response', status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** The shared call path with its HTTP client replaced: what the table does with an answer, without a socket. */
function callWith(outcome: HttpOutcome, read: (json: unknown) => unknown = (j) => ({ entity: { id: String((j as { id: unknown }).id) }, credentials: [] })) {
  const http = { postJson: async () => outcome, secrets: () => ['the-token'] } as unknown as ProviderHttpClient;
  return sendProviderCall({ providerId: 'p', http, path: '/x', body: {}, quirks, readSuccess: read as never });
}

describe('statusToCode', () => {
  it.each([
    [400, 'BAD_REQUEST'],
    [422, 'BAD_REQUEST'],
    [401, 'UNAUTHORIZED'],
    [403, 'FORBIDDEN'],
    [404, 'NOT_FOUND'],
    [409, 'CONFLICT'],
    [418, 'BAD_REQUEST'],
    [415, 'BAD_REQUEST'],
    [429, 'RATE_LIMITED'],
    [500, 'UNAVAILABLE'],
    [502, 'UNAVAILABLE'],
    [503, 'UNAVAILABLE'],
    [599, 'UNAVAILABLE'],
    // Redirects are not followed and 1xx never ends a request: either is a contract we do not know.
    [302, 'INTERNAL'],
    [200, 'INTERNAL'],
  ])('%i → %s', (status, code) => {
    expect(statusToCode(status)).toBe(code);
  });
});

describe('httpFailure', () => {
  it.each([
    [400, 'BAD_REQUEST'],
    [422, 'BAD_REQUEST'],
    [401, 'UNAUTHORIZED'],
    [403, 'FORBIDDEN'],
    [404, 'NOT_FOUND'],
    [409, 'CONFLICT'],
    [418, 'BAD_REQUEST'],
  ])('a JSON %i is %s, not retryable, and its message reaches the client', (status, code) => {
    const f = httpFailure('p', res(status, { message: 'upstream says no' }, JSON_TYPE), quirks);
    expect(f).toEqual({ code, message: 'upstream says no', httpStatus: status, retryable: false });
  });

  it('only RATE_LIMITED, UNAVAILABLE and TIMEOUT are retryable', () => {
    expect(httpFailure('p', res(429), quirks).retryable).toBe(true);
    expect(httpFailure('p', res(503), quirks).retryable).toBe(true);
    expect(transportFailure('p', { kind: 'transport', code: 'TIMEOUT', reason: 'r', neverSent: false }).retryable).toBe(true);
    for (const s of [400, 401, 403, 404, 409, 418, 422, 302]) expect(httpFailure('p', res(s), quirks).retryable).toBe(false);
  });

  it('a 4xx message is trimmed to 300 characters with control characters replaced', () => {
    const long = `  bad\u0000\u001b[31m\ninput ${'x'.repeat(400)}  `;
    const f = httpFailure('p', res(400, { message: long }, JSON_TYPE), quirks);
    expect(f.message).toHaveLength(300);
    expect(f.message.startsWith('bad [31m input x')).toBe(true);
    expect(f.message.endsWith('…')).toBe(true);
    // eslint-disable-next-line no-control-regex
    expect(f.message).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it('a body that starts like JSON is parsed even without a JSON content type', () => {
    expect(httpFailure('p', res(409, '  {"message":"resource already exists"}'), quirks).message).toBe('resource already exists');
  });

  it('an HTML 4xx page is never forwarded, whatever it says', () => {
    const page = '<html><body><pre>TypeError: at /app/node_modules/express/router.js:42</pre></body></html>';
    const f = httpFailure('p', res(400, page, HTML_TYPE), quirks);
    expect(f).toEqual({ code: 'BAD_REQUEST', message: 'p answered HTTP 400', httpStatus: 400, retryable: false });
  });

  it('a 4xx JSON body without a message falls back to our own words', () => {
    expect(httpFailure('p', res(403, { error: 'nope' }, JSON_TYPE), quirks).message).toBe('p answered HTTP 403');
  });

  it('a 5xx is UNAVAILABLE and no part of its body reaches the message, even a JSON message', () => {
    const sql = 'insert into "users" ("email","username") values ($1,$2) - duplicate key value; password_hash=abc; at Pool.query';
    for (const body of [{ message: sql, stack: sql }, sql]) {
      const f = httpFailure('p', res(500, body, JSON_TYPE), quirks);
      expect(f).toEqual({ code: 'UNAVAILABLE', message: 'p answered HTTP 500', httpStatus: 500, retryable: true });
    }
  });

  it('the quirks never see a parsed 5xx or 429 body, so they cannot forward one', () => {
    const seen: unknown[] = [];
    const spy: FailureQuirks = { messageOf: messageField, classify: (_r, json) => (seen.push(json), undefined) };
    httpFailure('p', res(500, { message: 'sql' }, JSON_TYPE), spy);
    httpFailure('p', res(429, { message: 'slow down' }, JSON_TYPE), spy);
    httpFailure('p', res(400, { message: 'bad' }, JSON_TYPE), spy);
    expect(seen).toEqual([undefined, undefined, { message: 'bad' }]);
  });

  describe('429', () => {
    const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
    beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
    afterEach(() => jest.restoreAllMocks());

    it('is RATE_LIMITED with Retry-After in seconds', () => {
      expect(httpFailure('p', res(429, '', { 'retry-after': '42' }), quirks)).toEqual({
        code: 'RATE_LIMITED',
        message: 'p answered HTTP 429',
        httpStatus: 429,
        retryable: true,
        retryAfterSeconds: 42,
      });
    });

    it('reads Retry-After as an HTTP date', () => {
      const at = new Date(NOW + 90_000).toUTCString();
      expect(httpFailure('p', res(429, '', { 'retry-after': at }), quirks).retryAfterSeconds).toBe(90);
    });

    it('caps a hint at a day (GraphQL Int ends at 2^31 - 1)', () => {
      expect(httpFailure('p', res(429, '', { 'retry-after': '99999999999' }), quirks).retryAfterSeconds).toBe(86_400);
      expect(httpFailure('p', res(429, '', { 'retry-after': new Date(NOW + 400 * 86_400_000).toUTCString() }), quirks).retryAfterSeconds).toBe(86_400);
      expect(httpFailure('p', res(429, '', { 'retry-after': '86399' }), quirks).retryAfterSeconds).toBe(86_399);
    });

    it('falls back to RateLimit-Reset, and Retry-After wins when both are sent', () => {
      expect(httpFailure('p', res(429, '', { 'ratelimit-reset': '7' }), quirks).retryAfterSeconds).toBe(7);
      expect(httpFailure('p', res(429, '', { 'ratelimit-reset': '7', 'retry-after': '3' }), quirks).retryAfterSeconds).toBe(3);
    });

    it('with an HTML body and no hint: no message from the page, no retryAfterSeconds', () => {
      const f = httpFailure('p', res(429, '<html><h1>Too many requests, please try again later.</h1></html>', HTML_TYPE), quirks);
      expect(f).toEqual({ code: 'RATE_LIMITED', message: 'p answered HTTP 429', httpStatus: 429, retryable: true });
      expect('retryAfterSeconds' in f).toBe(false);
    });

    it('is decided by the status, not the body: a JSON 429 message is not forwarded', () => {
      expect(httpFailure('p', res(429, { message: 'slow down, user 42' }, { ...JSON_TYPE, 'retry-after': '1' }), quirks).message).toBe('p answered HTTP 429');
    });

    it("a 503's Retry-After is kept too (the provider's estimate of its downtime); other codes get no hint", () => {
      expect(httpFailure('p', res(503, '', { 'retry-after': '5' }), quirks)).toMatchObject({ code: 'UNAVAILABLE', retryable: true, retryAfterSeconds: 5 });
      expect('retryAfterSeconds' in httpFailure('p', res(503, ''), quirks)).toBe(false);
      for (const status of [500, 502, 400, 409]) expect('retryAfterSeconds' in httpFailure('p', res(status, '', { 'retry-after': '5' }), quirks)).toBe(false);
    });
  });
});

describe('retryAfterSeconds', () => {
  const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
  afterEach(() => jest.restoreAllMocks());

  it('seconds, padded seconds, HTTP dates in the future and in the past, garbage', () => {
    expect(retryAfterSeconds({ 'retry-after': '0' })).toBe(0);
    expect(retryAfterSeconds({ 'retry-after': ' 120 ' })).toBe(120);
    expect(retryAfterSeconds({ 'retry-after': new Date(NOW + 1_500).toUTCString() })).toBe(1);
    expect(retryAfterSeconds({ 'retry-after': new Date(NOW - 60_000).toUTCString() })).toBe(0);
    expect(retryAfterSeconds({ 'retry-after': 'soon' })).toBeUndefined();
    // Date.parse reads these as dates long past ("1.5" is 2001-01-05): they were "retry now".
    expect(retryAfterSeconds({ 'retry-after': '1.5' })).toBe(2);
    expect(retryAfterSeconds({ 'retry-after': '120.5' })).toBe(121);
    expect(retryAfterSeconds({ 'ratelimit-reset': '2.5' })).toBe(3);
    expect(retryAfterSeconds({ 'retry-after': '-5' })).toBeUndefined();
    expect(retryAfterSeconds({ 'retry-after': '1e3' })).toBeUndefined();
    expect(retryAfterSeconds({ 'retry-after': '2026-12-07' })).toBeUndefined();
    expect(retryAfterSeconds({})).toBeUndefined();
  });

  it('RateLimit-Reset stands in for a Retry-After that is missing or unreadable, never for a readable one', () => {
    expect(retryAfterSeconds({ 'retry-after': 'soon', 'ratelimit-reset': '30' })).toBe(30);
    expect(retryAfterSeconds({ 'retry-after': '', 'ratelimit-reset': '30' })).toBe(30);
    expect(retryAfterSeconds({ 'retry-after': '5', 'ratelimit-reset': '30' })).toBe(5);
    expect(retryAfterSeconds({ 'retry-after': 'soon', 'ratelimit-reset': 'later' })).toBeUndefined();
  });
});

describe('transportFailure', () => {
  it('a deadline is TIMEOUT and says the account may exist', () => {
    const f = transportFailure('hoop-prod', { kind: 'transport', code: 'TIMEOUT', reason: 'no complete answer within 5000 ms', neverSent: false });
    expect(f).toEqual({
      code: 'TIMEOUT',
      message: 'hoop-prod gave no complete answer in time (no complete answer within 5000 ms); the account may or may not have been created',
      retryable: true,
      mayHaveCreated: true,
    });
  });

  it('a refused connection is UNAVAILABLE with its reason and no httpStatus: nothing was sent', () => {
    expect(transportFailure('hoop-prod', { kind: 'transport', code: 'UNAVAILABLE', reason: 'ECONNREFUSED', neverSent: true })).toEqual({
      code: 'UNAVAILABLE',
      message: 'hoop-prod could not be reached (ECONNREFUSED); nothing was sent',
      retryable: true,
    });
  });

  it('a connection that broke once the request was under way may have created the account', () => {
    expect(transportFailure('hoop-prod', { kind: 'transport', code: 'UNAVAILABLE', reason: 'UND_ERR_SOCKET', neverSent: false })).toEqual({
      code: 'UNAVAILABLE',
      message: 'hoop-prod: the connection failed once the request was under way (UND_ERR_SOCKET); the account may or may not have been created',
      retryable: true,
      mayHaveCreated: true,
    });
  });
});

describe('trimMessage', () => {
  it('keeps 300 characters as they are and cuts 301 to 299 plus an ellipsis', () => {
    expect(trimMessage('a'.repeat(300))).toBe('a'.repeat(300));
    expect(trimMessage('a'.repeat(301))).toBe(`${'a'.repeat(299)}…`);
  });

  it('turns each run of control characters into one space and trims', () => {
    expect(trimMessage('\n\tline one\r\n\u0007line two\u007f ')).toBe('line one line two');
  });

  it('never cuts a surrogate pair in half', () => {
    const cut = trimMessage(`${'a'.repeat(298)}${'😀'.repeat(5)}`);
    expect(cut).toBe(`${'a'.repeat(298)}…`);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(trimMessage(`${'a'.repeat(297)}${'😀'.repeat(5)}`)).toBe(`${'a'.repeat(297)}😀…`);
  });
});

describe('parseJson', () => {
  it('parses when the content type says JSON or the body starts with { or [', () => {
    expect(parseJson(res(400, '{"a":1}', JSON_TYPE))).toEqual({ a: 1 });
    expect(parseJson(res(400, '[1]', { 'content-type': 'text/plain' }))).toEqual([1]);
    expect(parseJson(res(400, '"str"', { 'content-type': 'application/problem+json' }))).toBe('str');
  });

  it('returns undefined for HTML, plain text and malformed JSON', () => {
    expect(parseJson(res(400, '<html>{"a":1}</html>', HTML_TYPE))).toBeUndefined();
    expect(parseJson(res(400, 'Bad Request'))).toBeUndefined();
    expect(parseJson(res(400, '{"a":', JSON_TYPE))).toBeUndefined();
  });
});

describe('the shared call path around the table', () => {
  it('a 2xx whose body is not JSON is INTERNAL, not retryable (the account may exist)', async () => {
    const out = await callWith(res(201, '<html>created</html>', HTML_TYPE));
    expect(out).toEqual({
      kind: 'failed',
      failure: {
        code: 'INTERNAL',
        message: 'p answered HTTP 201 with a body the gateway cannot read; the account may have been created',
        httpStatus: 201,
        retryable: false,
      },
    });
  });

  it('a 2xx JSON body the adapter cannot read, or whose reader throws, is the same INTERNAL', async () => {
    const missingId = await callWith(res(200, { name: 'no id' }, JSON_TYPE), () => undefined);
    const throwing = await callWith(res(200, { id: 1 }, JSON_TYPE), () => {
      throw new Error('reader bug');
    });
    for (const out of [missingId, throwing]) {
      expect(out).toMatchObject({ kind: 'failed', failure: { code: ProviderErrorCode.INTERNAL, retryable: false, httpStatus: 200 } });
    }
  });

  it('a 3xx goes through the table: INTERNAL, not retryable; only 307/308 say nothing was created', async () => {
    expect(await callWith(res(302, '', { location: 'https://elsewhere' }))).toEqual({
      kind: 'failed',
      failure: { code: 'INTERNAL', message: 'p answered HTTP 302', httpStatus: 302, retryable: false },
    });
    // 307/308: "send this same request there": not carried out here.
    expect(await callWith(res(308, '', { location: 'https://elsewhere' }))).toEqual({
      kind: 'failed',
      failure: {
        code: 'INTERNAL',
        message: "p answered HTTP 308 (a redirect, which the gateway does not follow: check the provider's baseUrl); nothing was created",
        httpStatus: 308,
        retryable: false,
        nothingCreated: true,
      },
    });
  });

  it('a 2xx body with a byte-order mark is read, not thrown away with its credential', async () => {
    expect(await callWith(res(201, '\uFEFF{"id":"sa_1"}', { 'content-type': 'application/json' }))).toEqual({
      kind: 'created',
      httpStatus: 201,
      entity: { id: 'sa_1' },
      credentials: [],
    });
  });

  it("a 4xx body with a byte-order mark still gives the provider's message", async () => {
    expect(await callWith(res(400, '\uFEFF{"message":"name is too long"}', { 'content-type': 'application/json' }))).toMatchObject({
      kind: 'failed',
      failure: { code: 'BAD_REQUEST', message: 'name is too long' },
    });
  });

  it('a transport failure goes through transportFailure', async () => {
    expect(await callWith({ kind: 'transport', code: 'UNAVAILABLE', reason: 'ECONNRESET', neverSent: false })).toEqual({
      kind: 'failed',
      failure: {
        code: 'UNAVAILABLE',
        message: 'p: the connection failed once the request was under way (ECONNRESET); the account may or may not have been created',
        retryable: true,
        mayHaveCreated: true,
      },
    });
  });

  it('undefined body fields are not sent', async () => {
    let sent: unknown;
    const http = { postJson: async (_p: string, body: unknown) => ((sent = body), res(201, { id: 1 })), secrets: () => [] } as unknown as ProviderHttpClient;
    await sendProviderCall({
      providerId: 'p',
      http,
      path: '/x',
      body: { a: 1, b: undefined, c: null },
      quirks,
      readSuccess: () => ({ entity: { id: '1' }, credentials: [] }),
    });
    expect(sent).toEqual({ a: 1, c: null });
    expect(Object.keys(sent as object)).toEqual(['a', 'c']);
  });
});
