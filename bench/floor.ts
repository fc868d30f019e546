/**
 * The I/O floor of `npm run bench`, in a process of its own: the least a
 * create with this gateway's guarantees has to do, written by hand with no
 * GraphQL, no validation, no auth, no metrics and no breaker. It is a
 * measuring stick, not a product: it shows how close any implementation of
 * the idempotency protocol (docs/idempotency.md) on Node can come to the
 * pass-through, and so what stands between the gateway and the issue's
 * 0.5× target.
 *
 * Per request, the same round trips the gateway makes (the bench counts
 * them: 3), each as the cheapest command that could stand in for it:
 *   1. claim the record (SET NX PX; the gateway runs a Lua script),
 *   2. take the target's guard (SET NX PX),
 *   the upstream call (the pass-through's, same Pool settings),
 *   3. record the outcome and append the audit event in one write (a pipeline),
 * then one JSON log line (pino, no redaction) and the JSON answer.
 *
 * UPSTREAM_ORIGIN, UPSTREAM_TOKEN, REDIS_URL; prints {"url": …} once it listens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import pino from 'pino';
import { Pool } from 'undici';

const upstream = new Pool(process.env.UPSTREAM_ORIGIN!, { connections: 64, keepAliveTimeout: 4_000 });
const authorization = `Bearer ${process.env.UPSTREAM_TOKEN}`;
const prefix = `idgw-bench-floor-${randomBytes(4).toString('hex')}:`;
const redis = new Redis(process.env.REDIS_URL!, { enableAutoPipelining: true, keyPrefix: prefix });
// The gateway's stdout is /dev/null in the bench; this one's stdout is the pipe that reports its URL.
const log = pino({ base: { service: 'floor' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: '/dev/null', sync: false }));
const TTL_MS = 900_000;
const AUDIT = 'audit';

const server = createServer(async (req, res) => {
  try {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name: string; permissions: string[] };
    const record = `r:${input.name}`;
    const owner = randomBytes(8).toString('hex');
    if ((await redis.set(record, owner, 'PX', TTL_MS, 'NX')) === null) {
      res.statusCode = 200;
      return void res.end('{"errors":[{"message":"conflict","extensions":{"code":"CONFLICT"}}]}');
    }
    await redis.set(`g:${input.name}`, owner, 'PX', TTL_MS, 'NX');
    const r = await upstream.request({
      method: 'POST',
      path: '/v1/service-accounts',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization },
      body: JSON.stringify({ name: input.name, permissions: input.permissions }),
    });
    const answer = JSON.parse(await r.body.text()) as unknown;
    const status = r.statusCode < 300 ? 'SUCCEEDED' : 'FAILED';
    const event = { at: Date.now(), operation: 'createServiceAccount', name: input.name, status };
    await redis
      .pipeline()
      .set(record, JSON.stringify({ status, owner }), 'PX', TTL_MS, 'XX')
      .xadd(AUDIT, 'MAXLEN', '~', '1000', '*', 'e', JSON.stringify(event))
      .pexpire(AUDIT, TTL_MS)
      .exec();
    log.info({ audit: event }, `audit: createServiceAccount ${status}`);
    res.statusCode = 200;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ data: { status, upstream: answer } }));
  } catch {
    res.statusCode = 502;
    res.end();
  }
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })}\n`));
process.on('SIGTERM', () => {
  // Records expire on their own; the audit stream would too, but need not wait.
  void redis
    .del(AUDIT)
    .catch(() => undefined)
    .finally(() => process.exit(0));
});
