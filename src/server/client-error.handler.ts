import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
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
    // An earlier request on this connection (pipelined) is still being answered: whatever is written now would be
    // read as its answer ("nothing was run", while a create may be running). Only closed, as a broken connection.
    const pending = (socket as Duplex & { _httpMessage?: unknown })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || pending) return void socket.destroy();
    const [code, message] = refusal(err.code);
    const status = HTTP_STATUS[code].refused;
    const requestId = randomUUID();
    const body = JSON.stringify(refusalBody(code, message, requestId));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Cache-Control: no-store\r\n' +
        `X-Request-Id: ${requestId}\r\n` +
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
