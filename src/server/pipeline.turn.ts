import type { IncomingMessage, ServerResponse } from 'node:http';

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
      socket.off('close', onClose);
      resolve(socket.writable);
    };
    const onClose = () => {
      res.off('socket', onSocket);
      resolve(false);
    };
    res.once('socket', onSocket);
    socket.once('close', onClose);
  });
}
