import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode, HTTP_STATUS } from '../errors/error-code.enum';
import { refusalBody } from './http.error';

/** How long a refused connection stays open for its answer to be read before it is destroyed. */
export const REFUSAL_LINGER_MS = 2000;

const refused = new WeakSet<object>();
/** Requests whose input had not all arrived when their connection was refused: they are not run, whenever it comes. */
const refusedRequests = new WeakSet<IncomingMessage>();

/** True once the connection was refused here: a request parsed after that is not run, nor answered. */
export function connectionRefused(socket: object | null | undefined): boolean {
  return !!socket && refused.has(socket);
}

/** True when this request was still arriving when its connection was refused: it is not run (graphql.handler.ts). */
export function requestRefused(req: IncomingMessage): boolean {
  return refusedRequests.has(req);
}

/**
 * What Node's HTTP parser refuses (headers over its 16 KiB limit, a request that does not parse, a header or
 * request timeout) gets the gateway's error shape, not Node's bare status line with an empty body: every refusal
 * has `extensions.code` and `requestId` (docs/errors.md). The refusal is the answer to what was refused, so it
 * comes after the answers of every request that arrived whole before it (pipelined): a create running there keeps
 * its answer and its one-time credentials.
 */
export function answerClientErrors(server: Server): void {
  // The last two responses of each connection. Requests are parsed one after the other, so only the last one can
  // be incomplete; the one before it is then the last that arrived whole, and Node answers in order.
  const last = new WeakMap<object, ServerResponse>();
  const previous = new WeakMap<object, ServerResponse>();
  const track = (req: IncomingMessage, res: ServerResponse) => {
    const before = last.get(req.socket);
    if (before) previous.set(req.socket, before);
    last.set(req.socket, res);
  };
  // A refused expectation (417, http.server.ts) is answered without a 'request' event, and is an answer all the same.
  server.on('request', track).on('checkExpectation', track);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // llhttp repeats its error on every chunk that follows: the first one decided.
    if (refused.has(socket)) return;
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const latest = last.get(socket);
    // A client that ended its side mid-body (HPE_INVALID_EOF_STATE) has gone: it is not answered, and its
    // request's handler logs the hang-up once the connection closes.
    const gone = err.code === 'HPE_INVALID_EOF_STATE' && latest !== undefined && !latest.req.complete;
    // Nothing more on this connection is run, whatever still arrives: the parser outlives a timeout, and the rest
    // of a late body would complete the request it is told was not run (graphql.handler.ts and http.server.ts
    // check this), or a request behind it.
    refused.add(socket);
    stopReading(socket);
    if (latest && !latest.req.complete && !gone) refusedRequests.add(latest.req);
    const whole = latest?.req.complete ? latest : previous.get(socket);
    const then = () => {
      // That answer closed the connection (`Connection: close`, a 417): Node ends it, and nothing follows it.
      if (whole && closesConnection(whole)) return;
      if (gone) socket.end();
      else refuse(socket, err.code, latest);
    };
    // Node leaves a response's 'finish' until it is the connection's current one and written out.
    if (whole && !whole.writableFinished) whole.once('finish', then);
    else then();
  });
}

/**
 * Reads no more from a refused connection. The parser outlives a timeout, and every whole request it still
 * parses there is kept, unanswered, until the connection closes, while Node's pipelining backpressure (the
 * bytes of answers waiting to be written) never engages: a client could pile up requests for as long as an
 * earlier create runs. `_paused` is how Node's HTTP server pauses its own parser (`_http_server.js`, the same
 * backpressure): the parser stops after the chunk at hand (Node may resume it: see ignoreAfterRefusal).
 */
export function stopReading(socket: Duplex): void {
  (socket as Duplex & { _paused?: boolean })._paused = true;
  socket.pause();
}

/** Requests parsed on a refused connection beyond which it is cut: a client that will not stop sending. */
export const MAX_IGNORED_AFTER_REFUSAL = 5000;
const ignored = new WeakMap<object, number>();

/**
 * A request parsed after its connection was refused: not run, nor answered, and the connection is not cut,
 * as answers of requests before it may still be on their way. Node resumes reading a paused connection
 * whenever an earlier answer drains (its pipelining backpressure), one chunk each time, and each request
 * parsed stays in its queue until the connection closes: past MAX_IGNORED_AFTER_REFUSAL it is cut, answers
 * still owed to that client included.
 */
export function ignoreAfterRefusal(socket: Duplex): void {
  const count = (ignored.get(socket) ?? 0) + 1;
  ignored.set(socket, count);
  if (count > MAX_IGNORED_AFTER_REFUSAL) socket.destroy();
  else stopReading(socket);
}

/**
 * Answers the refused request (the one still arriving, or bytes after the last whole one) and closes the
 * connection once the client has had a moment to read it: a peer that never closes its side keeps no
 * connection (server.maxConnections).
 */
function refuse(socket: Duplex, parserCode: string | undefined, latest: ServerResponse | undefined): void {
  // The last answer closed the connection (`Connection: close`), or the client did: Node is closing it already.
  if (!socket.writable) return;
  const linger = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS).unref();
  socket.once('close', () => clearTimeout(linger));
  // A request answered before its body came (a refusal on its headers) has had its answer: a second one would be
  // read as the next request's. Only closed (cut, if that answer is still being written).
  const own = latest !== undefined && !latest.req.complete;
  if (own && latest.headersSent) return void (latest.writableEnded ? socket.end() : socket.destroy());
  const [code, message] = refusal(parserCode);
  const status = HTTP_STATUS[code].refused;
  // A request refused while it was arriving is answered under the id it was given (http.server.ts).
  const requestId = (own && headerValue(latest.getHeader('x-request-id'))) || randomUUID();
  const body = JSON.stringify(refusalBody(code, message, requestId));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Cache-Control: no-store\r\n' +
      `X-Request-Id: ${requestId}\r\n` +
      // The CORS headers already set for this request, so a browser page can read why it was refused.
      (own ? corsLines(latest) : '') +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/** The client asked for it (or spoke HTTP/1.0), or the answer said `Connection: close`: Node closes after it. */
function closesConnection(res: ServerResponse): boolean {
  return !res.shouldKeepAlive || /(?:^|,)\s*close\s*(?:,|$)/i.test(String(res.getHeader('connection') ?? ''));
}

function refusal(parserCode: string | undefined): [ErrorCode, string] {
  if (parserCode === 'HPE_HEADER_OVERFLOW') return [ErrorCode.HEADERS_TOO_LARGE, 'The request headers are too large (16 KiB at most, all together).'];
  if (parserCode === 'ERR_HTTP_REQUEST_TIMEOUT') return [ErrorCode.REQUEST_TIMEOUT, 'The request did not arrive in time; nothing was run.'];
  return [ErrorCode.BAD_REQUEST, 'The request is not valid HTTP/1.1; nothing was run.'];
}

/** A header value set by the gateway, fit to write back raw (printable ASCII, no line breaks). */
function headerValue(v: ReturnType<ServerResponse['getHeader']>): string | undefined {
  return typeof v === 'string' && /^[\x20-\x7e]{1,500}$/.test(v) ? v : undefined;
}

function corsLines(res: ServerResponse): string {
  return ['access-control-allow-origin', 'access-control-expose-headers', 'vary']
    .map((name) => [name, headerValue(res.getHeader(name))])
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
}
