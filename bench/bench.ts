/**
 * `npm run bench`: in one run, the gateway against a plain node:http + undici
 * pass-through proxy on the same sandbox upstream (the generic provider), with
 * the memory store and with Redis. Writes bench/results.json.
 *
 * Every request creates a distinct account (a repeated one would be a
 * CONFLICT and measure nothing). Loopback only, bounded in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROOT = join(__dirname, '..');

interface Servers {
  gateway: string;
  passthrough: string;
  child: ChildProcess;
}

function startServers(env: Record<string, string | undefined>): Promise<Servers> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'servers.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ ...JSON.parse(line), child });
    });
    child.once('exit', (code) => reject(new Error(`bench servers exited with ${code}`)));
  });
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

let seq = 0;
const unique = (tag: string) => `${tag}-${process.pid}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

async function load(
  title: string,
  url: string,
  body: () => string,
): Promise<{ title: string; rps: number; p50: number; p99: number; errors: number; non2xx: number }> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req: any) => ({ ...req, body: body() }) }],
  });
  return { title, rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

const gatewayBody = (providers: string[]) => () =>
  JSON.stringify({
    query: 'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { status results { __typename } } }',
    variables: { input: { name: unique('b'), providers } },
  });

async function scenario(store: 'memory' | 'redis') {
  const servers = await startServers(store === 'redis' ? { BENCH_REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } : {});
  try {
    // Warm up both paths (JIT, connection pools, Lua script loads).
    await load('warm-up', servers.passthrough, () => JSON.stringify({ name: unique('w'), permissions: ['org:read'] }));
    await load('warm-up', servers.gateway, gatewayBody(['generic']));
    const base = await load('pass-through proxy → generic', servers.passthrough, () => JSON.stringify({ name: unique('p'), permissions: ['org:read'] }));
    const one = await load(`gateway (${store} store) → generic`, servers.gateway, gatewayBody(['generic']));
    const four = await load(`gateway (${store} store) → 4 providers`, servers.gateway, gatewayBody(['hoop', 'unleash', 'versori', 'generic']));
    const rss = rssMiB(servers.child.pid!);
    return {
      store,
      base,
      one,
      four,
      serversRssMiB: rss,
      throughputRatio: +(one.rps / base.rps).toFixed(3),
      p50Ratio: +(one.p50 / Math.max(base.p50, 0.001)).toFixed(2),
    };
  } finally {
    servers.child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const runs = [await scenario('memory'), await scenario('redis')];
  const report = {
    at: new Date().toISOString(),
    node: process.version,
    durationSeconds: DURATION,
    connections: CONNECTIONS,
    note: 'One run on a shared 2-core machine: compare ratios, not absolute numbers. The servers share one child process; the load generator runs in the parent.',
    runs,
  };
  writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  for (const r of runs) {
    for (const x of [r.base, r.one, r.four]) {
      process.stdout.write(
        `${x.title.padEnd(40)} ${String(x.rps).padStart(6)} req/s  p50 ${x.p50} ms  p99 ${x.p99} ms  errors ${x.errors} non2xx ${x.non2xx}\n`,
      );
    }
    process.stdout.write(
      `  ${r.store}: gateway/pass-through throughput ${r.throughputRatio}, p50 latency ×${r.p50Ratio}, servers RSS ${r.serversRssMiB} MiB\n`,
    );
  }
  process.stdout.write('written bench/results.json\n');
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
