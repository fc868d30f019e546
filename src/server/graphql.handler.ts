import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLRequest } from '@apollo/server';
import { ErrorCode } from '../errors/error-code.enum';
import { acceptsSingleResult } from './accept.negotiation';
import { readBody } from './body.reader';
import { requestRefused } from './client-error.handler';
import { HttpError, sendHttpError } from './http.error';
import { answerTurn, ConnectionClosingError, holdReadAhead, releaseReadAhead } from './pipeline.turn';
import { appendVary } from './vary.header';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface GraphqlHandlerOptions<TContext extends BaseContext> {
  /** Sees a parsed JSON body (a GET: `{ variables }` from its query string) before Apollo does, and may refuse it (throw an HttpError). */
  readonly inspectBody?: (body: unknown) => void;
  /** Builds the context of one operation; called by Apollo once the request is known to be GraphQL. */
  readonly context: (args: { req: IncomingMessage; res: ServerResponse }) => Promise<TContext>;
  /** Bodies above this many bytes are refused with 413 before anything is parsed. */
  readonly maxBodyBytes?: number;
  /**
   * Sees the body of every answer of status 400 or more before it is sent: Apollo answers a request it
   * refuses before execution (CSRF, a malformed request, a GET mutation) without running any plugin.
   */
  readonly errorBody?: (body: string, res: ServerResponse) => string;
  /** The cache-control of every answer that carries none (Apollo's own, on a persisted-query miss, stays). */
  readonly cacheControl?: string;
  /**
   * Refuse with 406, before the body is read, a request whose Accept admits no JSON type for a single
   * result. Apollo negotiates the answer's type only after the operation ran: a mutation created its
   * accounts, then the answer with their one-time credentials was refused. For a schema that never answers
   * incrementally (graphql-js 16 has no @defer) these are exactly the requests Apollo would refuse.
   */
  readonly singleResultsOnly?: boolean;
}

/**
 * The bridge between node:http and any started ApolloServer: what an
 * integration package (expressMiddleware, …) does, with nothing of this
 * gateway in it, so Apollo's integration test suite can hold it to the
 * same standard as Apollo's own integrations.
 *
 * Refusals it makes itself (method, size, malformed JSON) are answered
 * here; anything else it cannot answer (a client that hung up, a bug) is
 * left to the caller, which knows how to log it.
 */
export function graphqlHandler<TContext extends BaseContext>(
  apollo: Pick<ApolloServer<TContext>, 'executeHTTPGraphQLRequest'>,
  options: GraphqlHandlerOptions<TContext>,
): NodeHandler {
  return async (req, res) => {
    // A POST pipelined behind answers still to be written runs only in its turn (pipeline.turn.ts). Its body is read
    // at once while the bodies read ahead on its connection fit one maxBodyBytes (a body still arriving when its turn
    // comes may meet requestTimeoutMs first), and only in its turn beyond that: an unread body pushes back on the
    // connection, so nothing piles up in the gateway.
    const queued = req.method === 'POST' && !res.socket;
    const readAhead = queued && holdReadAhead(req, options.maxBodyBytes);
    let request: HTTPGraphQLRequest;
    try {
      if (queued && !readAhead && !(await answerTurn(req, res))) throw new ConnectionClosingError();
      try {
        const read = await readRequest(req, options, awaitsContinue(req) ? () => res.writeContinue() : undefined);
        // Parsed only in its turn: parsed JSON takes many times the bytes the read-ahead allowance counts.
        if (readAhead && !(await answerTurn(req, res))) throw new ConnectionClosingError();
        request = toGraphqlRequest(req, read, options);
      } catch (err) {
        if (err instanceof HttpError) return sendHttpError(res, err);
        throw err;
      }
    } finally {
      if (readAhead) releaseReadAhead(req);
    }
    // A POST whose answer can no longer be written does not run: an earlier answer closed the connection (a 417, a
    // 403), or the client ended its side. A GET needs none of this: Apollo runs no mutation from a GET.
    if (request.method === 'POST' && !res.socket?.writable) throw new ConnectionClosingError();
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: request,
      context: () => options.context({ req, res }),
    });
    for (const [k, v] of result.headers) {
      if (k === 'vary') appendVary(res, v);
      else res.setHeader(k, v);
    }
    // Here, not in a plugin: Apollo answers some refusals before any plugin runs.
    if (options.cacheControl && !res.hasHeader('cache-control')) res.setHeader('cache-control', options.cacheControl);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      const body = res.statusCode >= 400 && options.errorBody ? options.errorBody(result.body.string, res) : result.body.string;
      return void res.end(body);
    }
    for await (const chunk of result.body.asyncIterator) {
      // Leaving the loop returns the iterator, which stops the deferred work nobody will read.
      if (res.destroyed) break;
      res.write(chunk);
    }
    res.end();
  };
}

/** `Expect: 100-continue`: the client sends its body only once told to (http.server.ts answers no 100 by itself). */
function awaitsContinue(req: IncomingMessage): boolean {
  // The test Node itself uses to route a request to 'checkContinue' (`Expect: 100-continue, foo` too).
  return /(?:^|\W)100-continue(?:$|\W)/i.test(req.headers.expect ?? '');
}

/** The checks on the headers, then the body as text: what a request read ahead of its turn holds (no parsed JSON). */
async function readRequest(
  req: IncomingMessage,
  { maxBodyBytes, singleResultsOnly }: Pick<GraphqlHandlerOptions<BaseContext>, 'maxBodyBytes' | 'singleResultsOnly'>,
  beforeRead?: () => void,
): Promise<{ method: string; raw: string }> {
  const method = (req.method ?? 'GET').toUpperCase();
  // Apollo would refuse other methods too, but as BAD_REQUEST; the code should name the problem.
  if (method !== 'GET' && method !== 'POST') throw new HttpError(ErrorCode.METHOD_NOT_ALLOWED, 'Use GET or POST.', { allow: 'GET, POST' });
  if (singleResultsOnly && !acceptsSingleResult(req.headers.accept)) {
    throw new HttpError(
      ErrorCode.NOT_ACCEPTABLE,
      'The Accept header admits neither application/json nor application/graphql-response+json, the only types of an answer; nothing was run.',
    );
  }
  refuseEncodings(req);
  const raw = await readBody(req, maxBodyBytes, beforeRead);
  // The body came in after the request was refused, 408 or 400 (client-error.handler.ts): it is not run.
  if (requestRefused(req)) throw Object.assign(new Error('aborted'), { code: 'ECONNABORTED' });
  return { method, raw };
}

function toGraphqlRequest(
  req: IncomingMessage,
  { method, raw }: { method: string; raw: string },
  { inspectBody }: Pick<GraphqlHandlerOptions<BaseContext>, 'inspectBody'>,
): HTTPGraphQLRequest {
  const headers = new HeaderMap();
  // Node joins repeated headers with ", " already, except set-cookie (an array) which has no business in a request.
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  let body: unknown = raw;
  if (method === 'POST' && isJson(headers.get('content-type'))) {
    try {
      body = raw.trim().length ? JSON.parse(raw) : {};
    } catch {
      throw new HttpError(ErrorCode.BAD_REQUEST, 'Invalid JSON in the request body.');
    }
    inspectBody?.(body);
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (method === 'GET' && inspectBody) {
    // A GET carries its variables in the query string: the same checks as a POST body's. Unparsable
    // JSON is left to Apollo, which refuses it in its own words.
    const variables = url.searchParams.get('variables');
    let parsed: unknown;
    try {
      parsed = variables ? JSON.parse(variables) : undefined;
    } catch {
      parsed = undefined;
    }
    if (parsed !== undefined) inspectBody({ variables: parsed });
  }
  return { method, headers, search: url.search, body };
}

/**
 * The body is read as UTF-8 text: a compressed body or another charset would
 * be misread rather than refused, so they are refused.
 */
function refuseEncodings(req: IncomingMessage): void {
  const encoding = req.headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity')
    throw new HttpError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `Content-Encoding ${encoding} is not accepted; send the body uncompressed.`);
  // Every charset parameter: a second one (`charset=utf-8; charset=latin1`) or spaces around `=` are no way past it.
  for (const m of (req.headers['content-type'] ?? '').matchAll(/;\s*charset\s*=\s*("?)([^";\s]*)\1/gi)) {
    const charset = m[2].toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8')
      throw new HttpError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `charset=${charset.slice(0, 40)} is not accepted; send UTF-8.`);
  }
}

/** Apollo takes a POST body only as application/json; any other type reaches it as text, for it to refuse. */
function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0].trim().toLowerCase() === 'application/json';
}
