import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { stopReading } from './client-error.handler';

/** A request that was not run because its answer could not have been written; the HTTP server logs it once, at info. */
export class ConnectionClosingError extends Error {
  readonly code = 'ERR_CONNECTION_CLOSING';
  constructor() {
    super('not run: its connection was closing (an earlier answer closed it, or the client ended its side)');
  }
}

/**
 * Resolves once `res` is its connection's current response (its turn to be written): true if the connection
 * can still carry its answer, false if it is closing or closed by then. Node runs pipelined requests as soon
 * as they are parsed and queues their answers; RFC 9112 §9.3.2 allows that only for safe methods. A create
 * that ran behind an answer that closes the connection (a 417, a 403 for a foreign Origin) had its answer,
 * with its one-time credentials, dropped.
 */
export function answerTurn(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (res.socket) return Promise.resolve(res.socket.writable);
  const socket = req.socket;
  if (socket.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onSocket = () => {
      forget();
      resolve(socket.writable);
    };
    const forget = whenClosed(socket, () => {
      res.off('socket', onSocket);
      resolve(false);
    });
    res.once('socket', onSocket);
  });
}

/** Everything waiting on a connection's close, behind one listener: a listener per waiting request made Node warn of a leak past ten. */
const closeWaiters = new WeakMap<Socket, Set<() => void>>();

function whenClosed(socket: Socket, then: () => void): () => void {
  let waiters = closeWaiters.get(socket);
  if (!waiters) {
    const all = (waiters = new Set());
    closeWaiters.set(socket, all);
    socket.once('close', () => {
      closeWaiters.delete(socket);
      for (const waiter of all) waiter();
    });
  }
  waiters.add(then);
  return () => void waiters.delete(then);
}

/** Bytes of bodies read ahead of their turn on each connection, and what each request holds of them. */
const readAheadBytes = new WeakMap<Socket, number>();
const heldBy = new WeakMap<IncomingMessage, number>();

/**
 * True (and counted) when a queued request's body may be read before its turn: its declared length fits what
 * remains of one `maxBytes` for the connection, or exceeds `maxBytes` outright (refused at once as too large,
 * nothing read). A body of unknown length (chunked) waits for its turn. Without a limit, every body is read.
 */
export function holdReadAhead(req: IncomingMessage, maxBytes: number | undefined): boolean {
  if (maxBytes === undefined) return true;
  const declared = Number(req.headers['content-length']);
  if (!Number.isFinite(declared)) return false;
  if (declared > maxBytes) return true;
  const used = readAheadBytes.get(req.socket) ?? 0;
  if (used + declared > maxBytes) return false;
  readAheadBytes.set(req.socket, used + declared);
  heldBy.set(req, declared);
  return true;
}

/** The request has its turn (or ended): what it read ahead no longer counts against its connection. */
export function releaseReadAhead(req: IncomingMessage): void {
  const held = heldBy.get(req);
  if (held === undefined) return;
  heldBy.delete(req);
  readAheadBytes.set(req.socket, (readAheadBytes.get(req.socket) ?? held) - held);
}

/** Requests waiting for their turn on one connection: past the first, it is read no more until answers drain; past the second, it is cut. */
export const PAUSE_QUEUED = 32;
export const MAX_QUEUED = 256;
const queued = new WeakMap<Socket, number>();

/**
 * A request parsed while answers before it are still owed. Node's own pipelining backpressure counts the bytes
 * of answers waiting to be written, and a request still waiting for its turn has none: tiny pipelined POSTs
 * were read without end (hundreds of MiB of requests behind one slow create). Past PAUSE_QUEUED waiting, the
 * connection is paused (Node resumes it as answers drain, a chunk at a time); past MAX_QUEUED the client is
 * cut off, answers still owed to it included. False when it was.
 */
export function queueBehind(req: IncomingMessage, res: ServerResponse): boolean {
  const socket = req.socket;
  const count = (queued.get(socket) ?? 0) + 1;
  queued.set(socket, count);
  res.once('socket', () => queued.set(socket, (queued.get(socket) ?? 1) - 1));
  if (count > MAX_QUEUED) {
    socket.destroy();
    return false;
  }
  if (count > PAUSE_QUEUED) stopReading(socket);
  return true;
}
