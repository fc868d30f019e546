/**
 * The baseline of `npm run bench`, in a process of its own: what a
 * hand-written node:http proxy costs on the same upstream (the generic
 * sandbox), with an undici Pool set up as the gateway's provider pools are.
 * UPSTREAM_ORIGIN, UPSTREAM_TOKEN; prints {"url": …} once it listens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const upstream = new Pool(process.env.UPSTREAM_ORIGIN!, { connections: 64, keepAliveTimeout: 4_000 });
const authorization = `Bearer ${process.env.UPSTREAM_TOKEN}`;

const server = createServer(async (req, res) => {
  try {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const r = await upstream.request({
      method: 'POST',
      path: '/v1/service-accounts',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization },
      body: Buffer.concat(chunks),
    });
    res.statusCode = r.statusCode;
    res.setHeader('content-type', 'application/json');
    res.end(await r.body.text());
  } catch {
    res.statusCode = 502;
    res.end();
  }
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })}\n`));
process.on('SIGTERM', () => process.exit(0));
