/**
 * `npm run soak` (not part of `npm test`): a bounded run of creates against
 * the gateway as a separate process (`node --expose-gc dist/main.js`, what
 * `npm start` runs), its providers being the sandboxes in a third process
 * (`node dist/sandbox/sandbox.main.js`). About 10% of mutations get an
 * injected provider fault (503, connection reset, 400) and about 5% repeat an
 * earlier create with its idempotency key.
 *
 * Measures heap used after a forced full GC through the gateway's debug
 * gauge (IDGW_DEBUG_GC=1 with --expose-gc) and ends with accounting: every
 * account the sandboxes created is one the gateway reported as created, one
 * for one. Writes bench/soak-results.json.
 *
 * SOAK_MUTATIONS (20000), SOAK_MAX_SECONDS (180), SOAK_CONCURRENCY (16),
 * REDIS_URL (Redis store when one answers at it; default redis://127.0.0.1:6379).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const MUTATIONS = Number(process.env.SOAK_MUTATIONS ?? 20_000);
const MAX_SECONDS = Number(process.env.SOAK_MAX_SECONDS ?? 180);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 16);
const FAULT_RATE = 0.1;
const DUPLICATE_RATE = 0.05;
const PROVIDERS = ['hoop', 'unleash', 'versori', 'generic'] as const;
const TOKEN_ENV = { hoop: 'SANDBOX_HOOP_TOKEN', unleash: 'SANDBOX_UNLEASH_TOKEN', versori: 'SANDBOX_VERSORI_TOKEN', generic: 'SANDBOX_GENERIC_TOKEN' } as const;
/** The create route of each sandbox, as the sandbox names it in its call records. */
const CREATE_ROUTE: Record<string, RegExp> = {
  hoop: /^POST \/serviceaccounts$/,
  unleash: /^POST \/api\/admin\/service-account$/,
  versori: /^POST .*service-accounts$/,
  generic: /^POST \/v1\/service-accounts$/,
};

const MUTATION = `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { status results { __typename
  ... on ServiceAccountCreated { provider { id } account { id name } replayed }
  ... on ProviderFailure { provider { id } code retryable } } } }`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function redisAnswers(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = createConnection(Number(u.port || 6379), u.hostname);
    sock.setTimeout(500, () => (sock.destroy(), resolve(false)));
    sock.once('error', () => resolve(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => (sock.destroy(), resolve(d.toString().startsWith('+PONG'))));
  });
}

function spawnNode(args: string[], env: Record<string, string | undefined>): ChildProcess {
  return spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
}

async function json(url: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url, init);
  return res.json();
}

async function heapAfterGc(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const m = /^idgw_debug_heap_used_after_gc_bytes (\S+)$/m.exec(text);
  if (!m) throw new Error('the gateway does not expose idgw_debug_heap_used_after_gc_bytes (needs --expose-gc and IDGW_DEBUG_GC=1)');
  return Number(m[1]);
}

const mib = (b: number) => Math.round((b / 1048576) * 10) / 10;

async function main(): Promise<void> {
  const tokens = Object.fromEntries(Object.values(TOKEN_ENV).map((e) => [e, randomBytes(18).toString('base64url')]));

  // 1. Sandboxes, in their own process.
  const sandbox = spawnNode([join(ROOT, 'dist', 'sandbox', 'sandbox.main.js')], tokens);
  const summary = await new Promise<{ sandboxes: Array<{ kind: string; baseUrl: string; control: string }> }>((resolve, reject) => {
    let out = '';
    sandbox.stdout!.on('data', (d) => {
      out += d.toString();
      try {
        resolve(JSON.parse(out));
      } catch {
        /* not complete yet */
      }
    });
    sandbox.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  const byKind = Object.fromEntries(summary.sandboxes.map((s) => [s.kind, s]));
  const controlBase = (kind: string) => byKind[kind].control.replace(/\/__sandbox\/calls$/, '');

  // 2. The gateway, compiled, with the debug GC gauge.
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const useRedis = await redisAnswers(redisUrl);
  const config = {
    server: { port: await freePort(), host: '127.0.0.1' },
    ...(useRedis ? { redis: { url: redisUrl, keyPrefix: `idgw-soak-${randomBytes(4).toString('hex')}:` } } : {}),
    providers: [
      { id: 'hoop', kind: 'hoop', baseUrl: byKind.hoop.baseUrl, tokenEnv: TOKEN_ENV.hoop },
      { id: 'unleash', kind: 'unleash', baseUrl: byKind.unleash.baseUrl, tokenEnv: TOKEN_ENV.unleash, defaults: { rootRole: 3 } },
      {
        id: 'versori',
        kind: 'versori',
        baseUrl: byKind.versori.baseUrl,
        tokenEnv: TOKEN_ENV.versori,
        defaults: { organisationId: 'org-sandbox', roles: ['viewer'] },
      },
      { id: 'generic', kind: 'generic', baseUrl: byKind.generic.baseUrl, tokenEnv: TOKEN_ENV.generic, defaults: { permissions: ['org:read'] } },
    ],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'idgw-soak-')), 'gateway.json');
  writeFileSync(file, JSON.stringify(config));
  const gateway = spawnNode(['--expose-gc', join(ROOT, 'dist', 'main.js')], {
    ...tokens,
    GATEWAY_CONFIG: file,
    PORT: undefined,
    REDIS_URL: undefined,
    IDEMPOTENCY_HMAC_KEY: randomBytes(24).toString('hex'),
    IDGW_DEBUG_GC: '1',
    LOG_LEVEL: 'warn',
  });
  gateway.stdout!.resume();
  const base = `http://127.0.0.1:${config.server.port}`;
  for (let i = 0; ; i++) {
    if (
      (await fetch(`${base}/healthz`)
        .then((r) => r.status)
        .catch(() => 0)) === 200
    )
      break;
    if (i > 200) throw new Error('gateway did not start');
    await new Promise((r) => setTimeout(r, 50));
  }

  // 3. Load.
  interface Done {
    name: string;
    key: string;
    created: Record<string, string>;
    failed: Record<string, string>;
    status: string;
  }
  const done: Done[] = [];
  const tally: Record<string, number> = {};
  const count = (k: string) => (tally[k] = (tally[k] ?? 0) + 1);
  const heap: Array<{ atMutation: number; seconds: number; heapMiB: number }> = [];
  const started = Date.now();
  const latencies: number[] = [];
  let issued = 0;
  const faults = [
    { response: { status: 503, body: { message: 'soak: unavailable' } } },
    { reset: true },
    { response: { status: 400, body: { message: 'soak: rejected' } } },
  ];
  const post = (input: Record<string, unknown>) =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: MUTATION, variables: { input } }),
    });

  const worker = async (limit: number) => {
    while (issued < limit && Date.now() - started < MAX_SECONDS * 1000) {
      const n = issued++;
      if (Math.random() < DUPLICATE_RATE && done.length > 0) {
        const earlier = done[Math.floor(Math.random() * done.length)];
        const t0 = performance.now();
        const res = (await (await post({ name: earlier.name, idempotencyKey: earlier.key })).json()) as any;
        latencies.push(performance.now() - t0);
        count(`duplicate → ${res.errors?.[0]?.extensions?.code ?? res.data?.createServiceAccount?.status}`);
        // A repeat of a create that left retryable failures is a retry: it calls those targets again.
        for (const r of res.data?.createServiceAccount?.results ?? []) {
          if (r.__typename === 'ServiceAccountCreated' && !r.replayed) earlier.created[r.provider.id] = r.account.id;
        }
        continue;
      }
      if (Math.random() < FAULT_RATE) {
        const kind = PROVIDERS[Math.floor(Math.random() * PROVIDERS.length)];
        await fetch(`${controlBase(kind)}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(faults[n % faults.length]) });
        count('faults injected');
      }
      const name = `soak-${n.toString(36)}-${randomBytes(3).toString('hex')}`;
      const key = `${name}-key`;
      const t0 = performance.now();
      const res = (await (await post({ name, idempotencyKey: key })).json()) as any;
      latencies.push(performance.now() - t0);
      const payload = res.data?.createServiceAccount;
      if (!payload) {
        count(`error ${res.errors?.[0]?.extensions?.code}`);
        continue;
      }
      count(`status ${payload.status}`);
      const entry: Done = { name, key, created: {}, failed: {}, status: payload.status };
      for (const r of payload.results) {
        if (r.__typename === 'ServiceAccountCreated') entry.created[r.provider.id] = r.account.id;
        else {
          entry.failed[r.provider.id] = r.code;
          count(`target ${r.code}`);
        }
      }
      done.push(entry);
    }
  };
  const sampler = setInterval(() => {
    void heapAfterGc(`${base}/metrics`).then((b) => heap.push({ atMutation: issued, seconds: Math.round((Date.now() - started) / 1000), heapMiB: mib(b) }));
  }, 15_000);
  heap.push({ atMutation: 0, seconds: 0, heapMiB: mib(await heapAfterGc(`${base}/metrics`)) });
  // Warm-up (JIT, pools, Redis scripts), then the baseline the growth is measured from.
  const warmup = Math.min(1000, Math.ceil(MUTATIONS / 20));
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(warmup)));
  const baseline = { atMutation: issued, seconds: Math.round((Date.now() - started) / 1000), heapMiB: mib(await heapAfterGc(`${base}/metrics`)) };
  heap.push(baseline);
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(MUTATIONS)));
  clearInterval(sampler);
  const seconds = (Date.now() - started) / 1000;
  heap.push({ atMutation: issued, seconds: Math.round(seconds), heapMiB: mib(await heapAfterGc(`${base}/metrics`)) });

  // 4. Accounting: the sandboxes' creates against the gateway's reported outcomes.
  const accounting: Record<string, { sandboxCreated: number; gatewayCreated: number; onlyInSandbox: number; onlyInGateway: number; createdTwice: number }> = {};
  for (const kind of PROVIDERS) {
    const calls = ((await json(byKind[kind].control)).calls as Array<{ route: string; status: number; body: any }>).filter((c) =>
      CREATE_ROUTE[kind].test(c.route),
    );
    const sandboxNames = calls.filter((c) => c.status >= 200 && c.status < 300).map((c) => String(c.body?.username ?? c.body?.name));
    const gatewayNames = new Set(done.filter((d) => d.created[kind]).map((d) => d.name));
    const sandboxSet = new Set(sandboxNames);
    accounting[kind] = {
      sandboxCreated: sandboxNames.length,
      gatewayCreated: gatewayNames.size,
      onlyInSandbox: [...sandboxSet].filter((n) => !gatewayNames.has(n)).length,
      onlyInGateway: [...gatewayNames].filter((n) => !sandboxSet.has(n)).length,
      createdTwice: sandboxNames.length - sandboxSet.size,
    };
  }
  const balanced = Object.values(accounting).every((a) => a.onlyInSandbox === 0 && a.onlyInGateway === 0 && a.createdTwice === 0);

  const metricsText = await (await fetch(`${base}/metrics`)).text();
  const rss = Number(/^process_resident_memory_bytes (\S+)$/m.exec(metricsText)?.[1] ?? NaN);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 10) / 10;

  gateway.kill('SIGTERM');
  const exitCode = await new Promise<number | null>((r) => gateway.once('exit', (c) => r(c)));
  sandbox.kill('SIGTERM');

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    store: useRedis ? 'redis' : 'memory',
    mutations: issued,
    seconds: Math.round(seconds * 10) / 10,
    mutationsPerSecond: Math.round(issued / seconds),
    concurrency: CONCURRENCY,
    latencyMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: pct(100) },
    outcomes: tally,
    heapAfterGcMiB: heap.sort((a, b) => a.atMutation - b.atMutation),
    heapGrowthAfterWarmupMiB: Math.round((heap[heap.length - 1].heapMiB - baseline.heapMiB) * 10) / 10,
    rssMiB: mib(rss),
    accounting,
    balanced,
    gatewayExitCode: exitCode,
  };
  writeFileSync(join(__dirname, 'soak-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  if (!balanced || exitCode !== 0) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`soak failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
