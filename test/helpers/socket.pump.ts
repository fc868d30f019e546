import type { Socket } from 'node:net';

/** Writes `chunk` again and again for `ms`, as fast as the connection takes it: a peer that stops reading stops the writes. */
export function pumpFor(socket: Socket, chunk: Buffer, ms: number, stopped: () => boolean = () => false): void {
  const until = Date.now() + ms;
  const pump = () => {
    while (!stopped() && Date.now() < until && socket.write(chunk));
    if (!stopped() && Date.now() < until) socket.once('drain', pump);
  };
  pump();
}
