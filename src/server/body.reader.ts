import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '../errors/error-code.enum';
import { HttpError } from './http.error';

/**
 * The whole body as text, refused with 413 as soon as it is known to exceed
 * `limit` (from Content-Length before reading, or while reading a chunked
 * body) so an oversized request costs no more memory than the limit.
 * Bytes that are not UTF-8 are refused with 400: decoding would turn them
 * into U+FFFD and send a silently altered name or password upstream.
 */
export function readBody(req: IncomingMessage, limit = Infinity, beforeRead?: () => void): Promise<string> {
  // Closes the connection after the answer: the rest of the upload is not read for the next request.
  const tooLarge = () => new HttpError(ErrorCode.PAYLOAD_TOO_LARGE, `The request body exceeds ${limit} bytes.`, {}, true);
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      return reject(tooLarge());
    }
    // A client waiting for "100 Continue" is invited to upload only now, once the headers passed every check.
    beforeRead?.();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (!isUtf8(body)) return reject(new HttpError(ErrorCode.BAD_REQUEST, 'The request body is not valid UTF-8.'));
      resolve(body.toString('utf8'));
    });
    req.on('error', reject);
  });
}
