/**
 * `npm run bench`: the gateway as `npm start` runs it (`node dist/main.js`
 * with the start script's node flags, and a GATEWAY_CONFIG file: Redis store, an API-key client, metrics,
 * breakers and limits on) against a plain node:http + undici pass-through
 * proxy (bench/passthrough.ts) on the same upstream, beside an I/O floor (bench/floor.ts: the protocol's
 * round trips by hand, no GraphQL) that bounds what any implementation can reach. Every server has a
 * process of its own: each of the four sandbox providers (dist/sandbox/sandbox.main.js),
 * the proxy, the gateway (standalone Redis), a second gateway on a Redis
 * Cluster, and a third gateway whose Redis traffic goes through a counting
 * TCP proxy (test/helpers/tcp.proxy.ts) to count round trips per mutation.
 * The load generator (autocannon) runs here, in the parent.
 *
 * Writes bench/results.json (merging: `--long` updates only its own part).
 *
 *   npm run bench               ~3.5 minutes, loopback, bounded
 *   npm run bench -- --long     100k creates against a gateway with
 *                               --expose-gc: heap after GC before and after
 *
 * BENCH_SECONDS (8) per scenario, BENCH_CONNECTIONS (16), BENCH_LATENCY_CONNECTIONS (4),
 * BENCH_LONG_REQUESTS (100000), REDIS_URL (redis://127.0.0.1:6379),
 * `npm run bench -- --profile [dir] [create|duplicate|fan-out]`: only the gateway under load, with --cpu-prof, and its top
 * self-time functions (bench/profile-top.ts). BENCH_NO_BUILD=1: use dist/ as it is.
 * `npm run bench -- --ab <distA> <distB> [create|duplicate]`: two builds compared by CPU per request (abRun).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import type { EventEmitter } from 'node:events';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startRedisCluster, type RedisCluster } from '../test/helpers/redis-cluster';
import { START_NODE_FLAGS } from '../test/helpers/process.harness';
import { CountingProxy } from '../test/helpers/tcp.proxy';
import { topSelfTime } from './profile-top';

const LONG = process.argv.includes('--long');
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const LATENCY_CONNECTIONS = Number(process.env.BENCH_LATENCY_CONNECTIONS ?? 4);
const LONG_REQUESTS = Number(process.env.BENCH_LONG_REQUESTS ?? 100_000);
const INJECTED_LATENCY_MS = 20;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = join(__dirname, '..');
const RESULTS = join(__dirname, 'results.json');
const FOUR = ['hoop', 'unleash', 'versori', 'generic'];

const API_KEY = `bench-${randomBytes(18).toString('base64url')}`;
const TOKEN_ENV = { hoop: 'SANDBOX_HOOP_TOKEN', unleash: 'SANDBOX_UNLEASH_TOKEN', versori: 'SANDBOX_VERSORI_TOKEN', generic: 'SANDBOX_GENERIC_TOKEN' };
const TOKENS: Record<string, string> = Object.fromEntries(Object.values(TOKEN_ENV).map((e) => [e, randomBytes(18).toString('base64url')]));
// As a client must ask: the one-time secrets are in this answer only (without them the gateway warns).
const MUTATION =
  'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { status results { __typename ... on ServiceAccountCreated { credentials { secret } } } } }';

const children = new Set<ChildProcess>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function spawnNode(args: string[], env: Record<string, string | undefined>, stdout: 'pipe' | 'ignore', cpus?: string): ChildProcess {
  // taskset execs node, so the child's pid is node's (its /proc/<pid>/stat is the gateway's).
  const [cmd, argv] = cpus ? ['taskset', ['-c', cpus, process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', stdout, 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** The first complete JSON document a child prints on stdout. */
function firstJson<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d.toString();
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        const line = out.split('\n').find((l) => l.startsWith('{') && l.endsWith('}'));
        if (line) resolve(JSON.parse(line) as T);
      }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function procStatus(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : NaN;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

interface Upstream {
  /** One sandbox process per provider kind: four providers are four servers in production, and one process would queue their work. */
  children: ChildProcess[];
  byKind: Record<string, { baseUrl: string; control: string }>;
}

const PROVIDER_KINDS = ['hoop', 'unleash', 'versori', 'generic'] as const;

async function startUpstream(): Promise<Upstream> {
  const procs = PROVIDER_KINDS.map(() => spawnNode([join(ROOT, 'dist', 'sandbox', 'sandbox.main.js')], TOKENS, 'pipe'));
  const summaries = await Promise.all(
    procs.map((child) => firstJson<{ sandboxes: Array<{ kind: string; baseUrl: string; control: string }> }>(child, 'sandboxes')),
  );
  // Each process runs all four sandboxes; the gateways and the proxy use one kind from each.
  const byKind = Object.fromEntries(PROVIDER_KINDS.map((kind, i) => [kind, summaries[i].sandboxes.find((s) => s.kind === kind)!]));
  return { children: procs, byKind };
}

async function stopUpstream(up: Upstream): Promise<void> {
  await Promise.all(up.children.map((child) => stop(child)));
}

/** Resets every sandbox (calls, faults, data: their memory stays flat), then injects the given delay on every call. */
async function upstreamLatency(up: Upstream, delayMs: number): Promise<void> {
  for (const s of Object.values(up.byKind)) {
    const base = s.control.replace(/\/__sandbox\/calls$/, '');
    await fetch(`${base}/__sandbox/reset`, { method: 'POST' });
    if (delayMs > 0) await fetch(`${base}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ delayMs, times: 1e9 }) });
  }
}

interface Gateway {
  child: ChildProcess;
  base: string;
  url: string;
}

async function startGateway(
  up: Upstream,
  redis: Record<string, unknown>,
  opts: { nodeArgs?: string[]; env?: Record<string, string>; main?: string; cpus?: string } = {},
): Promise<Gateway> {
  const port = await freePort();
  const config = {
    server: { port, host: '127.0.0.1' },
    redis: { ...redis, keyPrefix: `idgw-bench-${randomBytes(4).toString('hex')}:` },
    // Bench records need not outlive the run by a day.
    idempotency: { ttlSeconds: 900, leaseSeconds: 30 },
    clients: [{ id: 'bench', keySha256: createHash('sha256').update(API_KEY).digest('hex'), scopes: ['identity:read', 'identity:write'] }],
    providers: [
      { id: 'hoop', kind: 'hoop', baseUrl: up.byKind.hoop.baseUrl, tokenEnv: TOKEN_ENV.hoop },
      { id: 'unleash', kind: 'unleash', baseUrl: up.byKind.unleash.baseUrl, tokenEnv: TOKEN_ENV.unleash, defaults: { rootRole: 3 } },
      {
        id: 'versori',
        kind: 'versori',
        baseUrl: up.byKind.versori.baseUrl,
        tokenEnv: TOKEN_ENV.versori,
        defaults: { organisationId: 'org-sandbox', roles: ['viewer'] },
      },
      { id: 'generic', kind: 'generic', baseUrl: up.byKind.generic.baseUrl, tokenEnv: TOKEN_ENV.generic, defaults: { permissions: ['org:read'] } },
    ],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'idgw-bench-')), 'gateway.json');
  writeFileSync(file, JSON.stringify(config));
  // stdout (JSON logs, an audit line per create, as in production) goes to /dev/null.
  const child = spawnNode(
    [...(opts.nodeArgs ?? []), ...START_NODE_FLAGS, opts.main ?? join(ROOT, 'dist', 'main.js')],
    {
      ...TOKENS,
      GATEWAY_CONFIG: file,
      PORT: undefined,
      REDIS_URL: undefined,
      REDIS_CLUSTER_NODES: undefined,
      IDEMPOTENCY_HMAC_KEY: 'bench-hmac-key-0123456789',
      ...opts.env,
    },
    'ignore',
    opts.cpus,
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      (await fetch(`${base}/readyz`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      break;
    if (child.exitCode !== null || i > 300) throw new Error('gateway did not start');
    await sleep(50);
  }
  return { child, base, url: `${base}/graphql` };
}

let seq = 0;
const RUN = Date.now().toString(36);
const uniqueName = (tag: string) => `${tag}-${RUN}-${(seq++).toString(36)}`;
const gatewayBody = (input: Record<string, unknown>) => JSON.stringify({ query: MUTATION, variables: { input } });
const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };

interface LoadResult {
  title: string;
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  /** Milliseconds, 0.1 ms resolution: from each 2xx response's own latency (autocannon's histogram keeps whole ms). */
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Responses that were not the expected answer (checked on every response). */
  unexpected: number;
  /** CPU time (user + system) of the server process under load, per request: set by withCpu. */
  cpuUsPerRequest?: number;
}

interface LoadOptions {
  connections?: number;
  /** A fixed number of requests, instead of a duration. */
  amount?: number;
  /** Instead of BENCH_SECONDS. */
  seconds?: number;
}

async function load(
  title: string,
  url: string,
  body: () => string,
  expect: string,
  opts: LoadOptions & { headers?: Record<string, string> } = {},
): Promise<LoadResult> {
  let unexpected = 0;
  const connections = opts.connections ?? CONNECTIONS;
  const instance = autocannon({
    url,
    method: 'POST',
    connections,
    ...(opts.amount ? { amount: opts.amount, timeout: 30 } : { duration: opts.seconds ?? DURATION }),
    headers: opts.headers ?? HEADERS,
    requests: [
      {
        setupRequest: (req: any) => ({ ...req, body: body() }),
        onResponse: (_status: number, resBody: string) => {
          if (!resBody.includes(expect)) unexpected++;
        },
      },
    ],
  });
  // autocannon's histogram records whole milliseconds: at ~25 ms one step is 4%, as much as a target's margin.
  // Its 'response' event carries each response's latency unrounded.
  const times: number[] = [];
  (instance as unknown as EventEmitter).on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) times.push(ms);
  });
  const result = await instance;
  const r = summarize(title, connections, result.duration, result.requests.total, times, {
    errors: result.errors,
    non2xx: result.non2xx,
    unexpected,
  });
  process.stdout.write(
    `${title.padEnd(58)} ${String(r.rps).padStart(6)} req/s  p50 ${r.p50} ms  p90 ${r.p90} ms  p99 ${r.p99} ms  (n ${r.requests}, c ${connections}, errors ${r.errors}, non2xx ${r.non2xx}, unexpected ${r.unexpected})\n`,
  );
  return r;
}

/** Latencies of every run a result was built from, kept out of results.json. */
const latencies = new WeakMap<LoadResult, number[]>();

function summarize(
  title: string,
  connections: number,
  seconds: number,
  requests: number,
  times: number[],
  failures: Pick<LoadResult, 'errors' | 'non2xx' | 'unexpected'>,
): LoadResult {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10 : NaN);
  const r: LoadResult = { title, connections, seconds, requests, rps: Math.round(requests / seconds), p50: at(0.5), p90: at(0.9), p99: at(0.99), ...failures };
  latencies.set(r, sorted);
  return r;
}

/** Runs of one scenario taken at different moments, as one result: latencies pooled, rates over the summed time. */
function pooled(title: string, runs: LoadResult[]): LoadResult {
  const sum = (f: (r: LoadResult) => number) => runs.reduce((n, r) => n + f(r), 0);
  const r = summarize(
    title,
    runs[0].connections,
    Math.round(sum((x) => x.seconds) * 100) / 100,
    sum((x) => x.requests),
    runs.flatMap((x) => latencies.get(x) ?? []),
    { errors: sum((x) => x.errors), non2xx: sum((x) => x.non2xx), unexpected: sum((x) => x.unexpected) },
  );
  process.stdout.write(`${title.padEnd(58)} ${String(r.rps).padStart(6)} req/s  p50 ${r.p50} ms  p90 ${r.p90} ms  p99 ${r.p99} ms  (pooled)\n`);
  return r;
}

const createLoad = (title: string, gw: Gateway, providers: string[], opts: LoadOptions = {}) =>
  load(title, gw.url, () => gatewayBody({ name: uniqueName('b'), providers }), '"status":"SUCCEEDED"', opts);

async function duplicateLoad(title: string, gw: Gateway, opts: LoadOptions = {}): Promise<LoadResult> {
  const body = gatewayBody({ name: uniqueName('dup'), providers: ['generic'], idempotencyKey: `dup-${RUN}-${seq++}` });
  const first = await (await fetch(gw.url, { method: 'POST', headers: HEADERS, body })).text();
  if (!first.includes('"status":"SUCCEEDED"')) throw new Error(`the duplicate scenario's first create failed: ${first}`);
  return load(title, gw.url, () => body, '"code":"CONFLICT"', opts);
}

const ratio = (a: number, b: number) => Math.round((a / Math.max(b, 0.001)) * 1000) / 1000;

function machine() {
  const nproc = Number(execFileSync('nproc').toString().trim());
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  return { nproc, cpuModel: model, node: process.version, platform: `${process.platform} ${process.arch}` };
}

/** Client writes to Redis per mutation, through a counting TCP proxy (each write is one round trip). */
async function countRoundTrips(up: Upstream): Promise<Record<string, unknown>> {
  const target = new URL(REDIS_URL);
  const proxy = await new CountingProxy(Number(target.port || 6379), target.hostname).start();
  const gw = await startGateway(up, { url: `redis://127.0.0.1:${proxy.port}` });
  try {
    const post = (input: Record<string, unknown>) => fetch(gw.url, { method: 'POST', headers: HEADERS, body: gatewayBody(input) }).then((r) => r.text());
    // Connection set-up and the first script loads are not per-mutation costs.
    await post({ name: uniqueName('rt'), providers: FOUR });
    const sample = async (n: number, run: () => Promise<string>, expect: string) => {
      const counts: number[] = [];
      for (let i = 0; i < n; i++) {
        proxy.reset();
        const text = await run();
        if (!text.includes(expect)) throw new Error(`round-trip count: unexpected answer ${text}`);
        // A write the gateway does not wait for (a refused attempt's audit event) may land after the answer.
        await sleep(20);
        counts.push(proxy.clientWrites);
      }
      return { samples: n, min: Math.min(...counts), max: Math.max(...counts) };
    };
    const dupInput = { name: uniqueName('rt'), providers: ['generic'], idempotencyKey: `rt-${RUN}` };
    await post(dupInput);
    return {
      oneTarget: await sample(20, () => post({ name: uniqueName('rt'), providers: ['generic'] }), '"status":"SUCCEEDED"'),
      fourTargets: await sample(20, () => post({ name: uniqueName('rt'), providers: FOUR }), '"status":"SUCCEEDED"'),
      duplicate: await sample(20, () => post(dupInput), '"code":"CONFLICT"'),
      note: 'Client writes through a TCP proxy in front of Redis; one write = one round trip. A duplicate is one awaited round trip (the claim) plus its audit event, which it does not wait for.',
    };
  } finally {
    await stop(gw.child);
    await proxy.stop();
  }
}

async function mainRun(): Promise<Record<string, unknown>> {
  const started = Date.now();
  const up = await startUpstream();
  const proxyChild = spawnNode(
    ['-r', 'ts-node/register/transpile-only', join(__dirname, 'passthrough.ts')],
    {
      UPSTREAM_ORIGIN: new URL(up.byKind.generic.baseUrl).origin,
      UPSTREAM_TOKEN: TOKENS.SANDBOX_GENERIC_TOKEN,
    },
    'pipe',
  );
  const proxyUrl = (await firstJson<{ url: string }>(proxyChild, 'pass-through proxy')).url;
  const floorChild = spawnNode(
    ['-r', 'ts-node/register/transpile-only', join(__dirname, 'floor.ts')],
    { UPSTREAM_ORIGIN: new URL(up.byKind.generic.baseUrl).origin, UPSTREAM_TOKEN: TOKENS.SANDBOX_GENERIC_TOKEN, REDIS_URL },
    'pipe',
  );
  const floorUrl = (await firstJson<{ url: string }>(floorChild, 'I/O floor')).url;
  const proxyBody = () => JSON.stringify({ name: uniqueName('p'), permissions: ['org:read'] });
  const gw = await startGateway(up, { url: REDIS_URL });
  let cluster: RedisCluster | undefined;
  try {
    // Warm-up: JIT, pools, Lua script loads.
    await load('warm-up: pass-through', proxyUrl, proxyBody, '"code":200', { connections: CONNECTIONS });
    await load('warm-up: I/O floor', floorUrl, proxyBody, '"SUCCEEDED"', { connections: CONNECTIONS });
    await createLoad('warm-up: gateway', gw, ['generic']);
    await upstreamLatency(up, 0);

    const proxy = await withCpu(proxyChild.pid!, () => load('pass-through proxy → generic', proxyUrl, proxyBody, '"code":200'));
    // What any implementation of the protocol pays (bench/floor.ts): it bounds the throughput target.
    const floor = await withCpu(floorChild.pid!, () => load('I/O floor: 3 Redis round trips + upstream, no GraphQL', floorUrl, proxyBody, '"SUCCEEDED"'));
    const one = await withCpu(gw.child.pid!, () => createLoad('gateway createServiceAccount → generic (redis)', gw, ['generic']));
    const duplicate = await withCpu(gw.child.pid!, () => duplicateLoad('gateway duplicate (CONFLICT from redis)', gw));
    const four = await createLoad('gateway createServiceAccount → 4 providers (redis)', gw, FOUR);
    await upstreamLatency(up, INJECTED_LATENCY_MS);
    const proxy20 = await load(`pass-through proxy, +${INJECTED_LATENCY_MS} ms upstream`, proxyUrl, proxyBody, '"code":200', {
      connections: LATENCY_CONNECTIONS,
    });
    // The fan-out ratio compares two runs a few seconds apart on a shared machine: run them A B B A, half
    // the time each, and pool each one's halves, so a slow spell weighs on both alike.
    const one20Title = `gateway → generic, +${INJECTED_LATENCY_MS} ms upstream`;
    const four20Title = `gateway → 4 providers, +${INJECTED_LATENCY_MS} ms each`;
    const half = { connections: LATENCY_CONNECTIONS, seconds: DURATION / 2 };
    const one20a = await createLoad(`${one20Title} (1/2)`, gw, ['generic'], half);
    const four20a = await createLoad(`${four20Title} (1/2)`, gw, FOUR, half);
    const four20b = await createLoad(`${four20Title} (2/2)`, gw, FOUR, half);
    const one20b = await createLoad(`${one20Title} (2/2)`, gw, ['generic'], half);
    const one20 = pooled(one20Title, [one20a, one20b]);
    const four20 = pooled(four20Title, [four20a, four20b]);
    await upstreamLatency(up, 0);
    const gatewayPeakRssMiB = procStatus(gw.child.pid!, 'VmHWM');
    const gatewayRssMiB = procStatus(gw.child.pid!, 'VmRSS');
    await stop(gw.child);

    const roundTrips = await countRoundTrips(up);

    cluster = await startRedisCluster();
    const cgw = await startGateway(up, { cluster: { nodes: cluster.urls } });
    await createLoad('warm-up: gateway (cluster)', cgw, ['generic']);
    await upstreamLatency(up, 0);
    const clusterOne = await createLoad('gateway createServiceAccount → generic (cluster)', cgw, ['generic']);
    const clusterDuplicate = await duplicateLoad('gateway duplicate (CONFLICT from cluster)', cgw);
    const clusterPeakRssMiB = procStatus(cgw.child.pid!, 'VmHWM');
    await stop(cgw.child);

    const targets = {
      throughputVsProxy: { value: ratio(one.rps, proxy.rps), target: '>= 0.5', met: one.rps / proxy.rps >= 0.5 },
      p50VsProxy: { value: ratio(one.p50, proxy.p50), target: '<= 2', met: one.p50 / proxy.p50 <= 2 },
      duplicateVsCreate: { value: ratio(duplicate.rps, one.rps), target: '>= 2', met: duplicate.rps / one.rps >= 2 },
      fanOutP50At20ms: { value: ratio(four20.p50, one20.p50), target: '<= 1.15', met: four20.p50 / one20.p50 <= 1.15 },
      redisRoundTrips: {
        value: { oneTarget: (roundTrips.oneTarget as { max: number }).max, fourTargets: (roundTrips.fourTargets as { max: number }).max },
        target: '<= 3',
        met: (roundTrips.oneTarget as { max: number }).max <= 3 && (roundTrips.fourTargets as { max: number }).max <= 3,
      },
      // The 150 MB are decimal: 143.05 MiB.
      gatewayPeakRss: {
        valueMiB: gatewayPeakRssMiB,
        valueMB: Math.round(gatewayPeakRssMiB * 1.048576 * 10) / 10,
        target: '<= 150 MB',
        met: gatewayPeakRssMiB * 1.048576 <= 150,
      },
    };
    return {
      date: new Date().toISOString(),
      machine: machine(),
      benchSeconds: Math.round((Date.now() - started) / 1000),
      settings: { durationSeconds: DURATION, connections: CONNECTIONS, latencyConnections: LATENCY_CONNECTIONS, injectedLatencyMs: INJECTED_LATENCY_MS },
      note: 'Loopback, one run on a shared 2-core machine: compare ratios within this run, not absolute numbers. Upstream sandboxes (a process per provider kind), pass-through proxy and gateway each in their own process; autocannon in the bench parent; Redis (and the cluster) are redis-server processes on the same cores.',
      standalone: {
        proxy,
        floor,
        floorVsProxy: ratio(floor.rps, proxy.rps),
        floorP50VsProxy: ratio(floor.p50, proxy.p50),
        one,
        duplicate,
        four,
        proxy20,
        one20,
        four20,
        gatewayPeakRssMiB,
        gatewayRssAtEndMiB: gatewayRssMiB,
      },
      cluster: {
        one: clusterOne,
        duplicate: clusterDuplicate,
        gatewayPeakRssMiB: clusterPeakRssMiB,
        throughputVsStandalone: ratio(clusterOne.rps, one.rps),
        throughputVsProxy: ratio(clusterOne.rps, proxy.rps),
        p50VsProxy: ratio(clusterOne.p50, proxy.p50),
        duplicateVsCreate: ratio(clusterDuplicate.rps, clusterOne.rps),
      },
      roundTrips,
      targets,
    };
  } finally {
    await stop(gw.child);
    await cluster?.stop();
    await stop(proxyChild);
    await stop(floorChild);
    await stopUpstream(up);
  }
}

async function heapAfterGcMiB(gw: Gateway): Promise<number> {
  const text = await (await fetch(`${gw.base}/metrics`)).text();
  const m = /^idgw_debug_heap_used_after_gc_bytes (\S+)$/m.exec(text);
  if (!m) throw new Error('no idgw_debug_heap_used_after_gc_bytes');
  return Math.round((Number(m[1]) / 1048576) * 10) / 10;
}

/** 100k creates; heap after a forced full GC (the debug gauge) after warm-up, every 10k, and at the end. */
async function longRun(): Promise<Record<string, unknown>> {
  const started = Date.now();
  const up = await startUpstream();
  const gw = await startGateway(up, { url: REDIS_URL }, { nodeArgs: ['--expose-gc'], env: { IDGW_DEBUG_GC: '1' } });
  try {
    await createLoad('warm-up: gateway', gw, ['generic'], { amount: 5_000 });
    await upstreamLatency(up, 0);
    const heap: Array<{ afterRequests: number; heapAfterGcMiB: number; rssMiB: number }> = [];
    const sampleHeap = async (afterRequests: number) =>
      heap.push({ afterRequests, heapAfterGcMiB: await heapAfterGcMiB(gw), rssMiB: procStatus(gw.child.pid!, 'VmRSS') });
    await sampleHeap(0);
    const chunk = 10_000;
    const runs: LoadResult[] = [];
    for (let done = 0; done < LONG_REQUESTS; done += chunk) {
      runs.push(await createLoad(`long: creates ${done + 1}–${done + chunk}`, gw, ['generic'], { amount: chunk }));
      // The sandbox's call log is its own memory, not the gateway's: keep it from growing.
      await upstreamLatency(up, 0);
      await sampleHeap(done + chunk);
    }
    const first = heap[0].heapAfterGcMiB;
    const last = heap[heap.length - 1].heapAfterGcMiB;
    return {
      date: new Date().toISOString(),
      machine: machine(),
      seconds: Math.round((Date.now() - started) / 1000),
      requests: runs.reduce((n, r) => n + r.requests, 0),
      failed: runs.reduce((n, r) => n + r.errors + r.non2xx + r.unexpected, 0),
      rps: Math.round(runs.reduce((n, r) => n + r.rps, 0) / runs.length),
      heap,
      heapGrowthPercent: Math.round(((last - first) / first) * 1000) / 10,
      gatewayPeakRssMiB: procStatus(gw.child.pid!, 'VmHWM'),
      note: 'node --expose-gc dist/main.js with IDGW_DEBUG_GC=1: each /metrics scrape forces a full GC and reports heap used after it. Redis store, 1 target, unique names, connections as in the main run.',
    };
  } finally {
    await stop(gw.child);
    await stopUpstream(up);
  }
}

/** A load's result with the CPU time its server process spent per request (what req/s hides: who used the cores). */
async function withCpu(pid: number, run: () => Promise<LoadResult>): Promise<LoadResult> {
  const before = cpuMicros(pid);
  const r = await run();
  r.cpuUsPerRequest = Math.round((cpuMicros(pid) - before) / Math.max(r.requests, 1));
  process.stdout.write(`${''.padEnd(58)} ${r.cpuUsPerRequest} µs of server CPU per request\n`);
  return r;
}

/** User and system CPU time of a process so far, in microseconds (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * `--ab <distA> <distB> [create|duplicate]`: two builds side by side (e.g. `npx tsc -p tsconfig.build.json
 * --outDir .cache/ab-a` on two commits: inside the project, so node_modules resolves), both warm, loaded in turn for BENCH_SECONDS (5) each, BENCH_ROUNDS (6)
 * times. Reports each one's gateway CPU time per request: on this shared machine req/s moved ±30% between
 * identical runs, CPU per request far less. With two or more CPUs the gateways run on CPU 0 and the
 * upstream and this load generator on CPU 1, so the gateways do not compete with their load for a core.
 */
async function abRun(dirs: [string, string], scenario: string): Promise<void> {
  const pin = cpus().length >= 2;
  if (pin) execFileSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  const up = await startUpstream();
  if (pin) for (const child of up.children) execFileSync('taskset', ['-a', '-p', '-c', '1', String(child.pid)], { stdio: 'ignore' });
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
  const gws = await Promise.all(dirs.map((d) => startGateway(up, { url: REDIS_URL }, { main: join(d, 'main.js'), cpus: pin ? '0' : undefined })));
  const samples = gws.map(() => ({ rps: [] as number[], cpuMicrosPerRequest: [] as number[] }));
  try {
    for (let round = 0; round <= rounds; round++) {
      for (const [i, gw] of gws.entries()) {
        const before = cpuMicros(gw.child.pid!);
        const opts = { connections: CONNECTIONS, seconds };
        const r =
          scenario === 'duplicate' ? await duplicateLoad(`${dirs[i]} duplicate`, gw, opts) : await createLoad(`${dirs[i]} create`, gw, ['generic'], opts);
        // Round 0 warms both up (JIT, pools, scripts) and is not counted.
        if (round === 0) continue;
        samples[i].rps.push(r.rps);
        samples[i].cpuMicrosPerRequest.push(Math.round((cpuMicros(gw.child.pid!) - before) / r.requests));
      }
      await upstreamLatency(up, 0);
    }
  } finally {
    for (const gw of gws) await stop(gw.child);
    await stopUpstream(up);
  }
  for (const [i, s] of samples.entries()) {
    process.stdout.write(
      `${dirs[i]}: ${scenario}, ${rounds} rounds of ${seconds} s${pin ? ', pinned to CPU 0' : ''}: CPU per request median ${median(s.cpuMicrosPerRequest)} µs (min ${Math.min(...s.cpuMicrosPerRequest)}), req/s median ${median(s.rps)}\n`,
    );
  }
}

/**
 * `--profile <dir> [create|duplicate|fan-out]`: the gateway under load with --cpu-prof (all three loads, or the one
 * named, after a warm-up); prints the top self-time functions.
 */
async function profileRun(dir: string, only?: string): Promise<void> {
  const loads: Record<string, (gw: Gateway) => Promise<LoadResult>> = {
    create: (gw) => createLoad('profile: creates → generic', gw, ['generic']),
    duplicate: (gw) => duplicateLoad('profile: duplicates', gw),
    'fan-out': (gw) => createLoad('profile: creates → 4 providers', gw, FOUR),
  };
  if (only !== undefined && !(only in loads)) throw new Error(`--profile: no load named ${only} (${Object.keys(loads).join(', ')})`);
  const up = await startUpstream();
  const gw = await startGateway(up, { url: REDIS_URL }, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  try {
    await createLoad('warm-up: gateway', gw, ['generic']);
    await upstreamLatency(up, 0);
    for (const [name, run] of Object.entries(loads)) if (only === undefined || only === name) await run(gw);
  } finally {
    await stop(gw.child);
    await stopUpstream(up);
  }
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  process.stdout.write(`${file}\n${topSelfTime(file, 50)}\n`);
}

async function main(): Promise<void> {
  if (process.env.BENCH_NO_BUILD !== '1' || !existsSync(join(ROOT, 'dist', 'main.js'))) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const abAt = process.argv.indexOf('--ab');
  if (abAt >= 0) return abRun([process.argv[abAt + 1], process.argv[abAt + 2]], process.argv[abAt + 3] ?? 'create');
  const profileAt = process.argv.indexOf('--profile');
  if (profileAt >= 0) return profileRun(process.argv[profileAt + 1] ?? mkdtempSync(join(tmpdir(), 'idgw-prof-')), process.argv[profileAt + 2]);
  const previous = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>) : {};
  const report = LONG ? { ...previous, long: await longRun() } : { ...(await mainRun()), long: previous.long };
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(LONG ? report.long : (report as Record<string, unknown>).targets, null, 2)}\nwritten bench/results.json\n`);
}

const cleanup = () => {
  for (const c of children) c.kill('SIGKILL');
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
