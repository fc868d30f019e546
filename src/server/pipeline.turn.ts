import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

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
