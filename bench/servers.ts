/**
 * The servers under benchmark, in one child process so the load generator
 * (the parent) does not share their event loop: the sandbox upstream, the
 * gateway (memory or Redis store) and a plain pass-through proxy.
 */
import 'reflect-metadata';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { resolveConfig } from '../src/config/config.loader';
import { createLogger } from '../src/observability/pino.logger';
import { sandboxGatewayConfig, startSandboxes } from '../src/sandbox/sandbox.set';
import { startGateway } from '../src/app';

async function main(): Promise<void> {
  const sandboxes = await startSandboxes();
  const raw: Record<string, any> = sandboxGatewayConfig(sandboxes, { port: 0 });
  if (process.env.BENCH_REDIS_URL) raw.redis = { url: process.env.BENCH_REDIS_URL, keyPrefix: `idgw-bench-${process.pid}:` };
  const config = resolveConfig(raw, { ...sandboxes.tokens, IDEMPOTENCY_HMAC_KEY: 'bench-hmac-key-0123456789' });
  const gateway = await startGateway(config, { logger: createLogger({ level: 'silent' }) });

  // The baseline: what a hand-written proxy to the same upstream costs.
  const upstream = new Pool(`http://127.0.0.1:${sandboxes.generic.port}`, { connections: 64 });
  const authorization = `Bearer ${sandboxes.tokens.SANDBOX_GENERIC_TOKEN}`;
  const passthrough = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const r = await upstream.request({
      method: 'POST',
      path: '/v1/service-accounts',
      headers: { 'content-type': 'application/json', authorization },
      body: Buffer.concat(chunks),
    });
    res.statusCode = r.statusCode;
    res.setHeader('content-type', 'application/json');
    res.end(await r.body.text());
  });
  await new Promise<void>((resolve) => passthrough.listen(0, '127.0.0.1', () => resolve()));

  process.stdout.write(`${JSON.stringify({ gateway: gateway.url, passthrough: `http://127.0.0.1:${(passthrough.address() as AddressInfo).port}/` })}\n`);
  process.on('SIGTERM', () => process.exit(0));
}

void main();
