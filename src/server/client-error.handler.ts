import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode, HTTP_STATUS } from '../errors/error-code.enum';
import { refusalBody } from './http.error';

/** How long a refused connection stays open for its answer to be read before it is destroyed. */
export const REFUSAL_LINGER_MS = 2000;

const refused = new WeakSet<object>();

/** True once the connection was answered a refusal here: any request on it, complete or not, is not run. */
export function connectionRefused(socket: object | null | undefined): boolean {
  return !!socket && refused.has(socket);
}

/**
 * What Node's HTTP parser refuses before any handler runs (headers over its 16 KiB limit, a request that
 * does not parse, a header or request timeout) gets the gateway's error shape, not Node's bare status line
 * with an empty body: every refusal has `extensions.code` and `requestId` (docs/errors.md). A connection
 * still answering an earlier request, or gone, is only destroyed.
 */
export function answerClientErrors(server: Server): void {
  // The last request of each connection: a refusal may concern one that was answered already.
  const lastRequest = new WeakMap<object, IncomingMessage>();
  server.on('request', (req: IncomingMessage) => lastRequest.set(req.socket, req));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Node leaves `_httpMessage` null once a response has finished, undefined before the first.
    const pending = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
    // The response under way belongs to the refused request itself when that request's body has not all arrived
    // (a body slower than server.requestTimeoutMs): it is answered, under its own request id. Otherwise an earlier
    // request (pipelined) is still being answered: whatever is written now would be read as its answer ("nothing
    // was run", while a create may be running). And a request answered before its body came (a refusal on its
    // headers) has had its answer: a second one would be read as the next request's. Both only closed.
    // (A client that ended its side mid-body, HPE_INVALID_EOF_STATE, has gone: its handler logs the hang-up.)
    const own = pending !== undefined && !pending.headersSent && pending.req?.complete === false && err.code !== 'HPE_INVALID_EOF_STATE';
    const last = lastRequest.get(socket);
    const answeredAlready = pending === undefined && last !== undefined && !last.complete;
    if (err.code === 'ECONNRESET' || !socket.writable || (pending && !own) || answeredAlready) return void socket.destroy();
    const [code, message] = refusal(err.code);
    const status = HTTP_STATUS[code].refused;
    const requestId = (own && headerValue(pending.getHeader('x-request-id'))) || randomUUID();
    const body = JSON.stringify(refusalBody(code, message, requestId));
    // Nothing more on this connection is run, whatever still arrives: the parser outlives a timeout, and the rest
    // of a late body would complete the request it was just told was not run (graphql.handler.ts and
    // http.server.ts check this), or a request behind it. Closed for good once the client has had a moment to
    // read the answer: a peer that never closes its side keeps no connection (server.maxConnections).
    refused.add(socket);
    const linger = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS).unref();
    socket.once('close', () => clearTimeout(linger));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Cache-Control: no-store\r\n' +
        `X-Request-Id: ${requestId}\r\n` +
        // The CORS headers already set for this request, so a browser page can read why it was refused.
        (own ? corsLines(pending) : '') +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
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
