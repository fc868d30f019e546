import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode, HTTP_STATUS } from '../errors/error-code.enum';
import { refusalBody } from './http.error';

/**
 * What Node's HTTP parser refuses before any handler runs (headers over its 16 KiB limit, a request that
 * does not parse, a header or request timeout) gets the gateway's error shape, not Node's bare status line
 * with an empty body: every refusal has `extensions.code` and `requestId` (docs/errors.md). A connection
 * still answering an earlier request, or gone, is only destroyed.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // The response under way on this connection belongs to the refused request itself when that request's body
    // has not all arrived (a body slower than server.requestTimeoutMs): it is answered, under its own request id.
    // Otherwise an earlier request (pipelined) is still being answered: whatever is written now would be read as
    // its answer ("nothing was run", while a create may be running). Only closed, as a broken connection.
    const pending = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    const own = pending !== undefined && !pending.headersSent && pending.req?.complete === false;
    if (err.code === 'ECONNRESET' || !socket.writable || (pending && !own)) return void socket.destroy();
    const [code, message] = refusal(err.code);
    const status = HTTP_STATUS[code].refused;
    const requestId = (own && headerValue(pending.getHeader('x-request-id'))) || randomUUID();
    const body = JSON.stringify(refusalBody(code, message, requestId));
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
