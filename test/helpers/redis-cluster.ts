import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from './redis.global-setup';

export interface ClusterNode {
  port: number;
  url: string;
  proc: ChildProcess;
}

export interface RedisCluster {
  nodes: ClusterNode[];
  /** Seed URLs for `redis.cluster.nodes`. */
  urls: string[];
  /** Nodes that are masters now (asked from the nodes themselves). */
  masters(): Promise<ClusterNode[]>;
  /** SIGKILL one node; resolves once its process is gone. */
  kill(node: ClusterNode): Promise<void>;
  /** Resolves once every live node reports cluster_state:ok and the given number of masters serve all slots. */
  waitHealthy(timeoutMs?: number, masters?: number): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A real 6-node Redis Cluster (3 masters, 3 replicas) on free loopback ports,
 * everything on disk inside one tmpdir. Throws with redis-cli's output when it
 * cannot be built: never a mock.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  if (spawnSync('sh', ['-c', 'command -v redis-server && command -v redis-cli']).status !== 0) {
    throw new Error('redis-server and redis-cli are needed for the Redis Cluster tests (apt-get install redis-server)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'idgw-redis-cluster-'));
  const nodes: ClusterNode[] = [];
  const logs = new Map<number, string>();
  const stopAll = async () => {
    await Promise.all(nodes.map((n) => killProc(n.proc, 'SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports = new Set<number>();
    while (ports.size < 12) ports.add(await freePort());
    const list = [...ports];
    for (let i = 0; i < 6; i++) {
      const port = list[i];
      // The default bus port (port + 10000) may be out of range or taken: pick it explicitly.
      const busPort = list[i + 6];
      const args = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-node-timeout',
        '2000',
        '--cluster-port',
        String(busPort),
        '--repl-diskless-sync-delay',
        '0',
        '--cluster-replica-validity-factor',
        '0',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
      ];
      const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      logs.set(port, '');
      const collect = (d: Buffer) => logs.set(port, (logs.get(port)! + d.toString()).slice(-4000));
      proc.stdout!.on('data', collect);
      proc.stderr!.on('data', collect);
      nodes.push({ port, url: `redis://127.0.0.1:${port}`, proc });
    }
    for (const n of nodes) await waitPing(n, logs);
    const create = await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes']);
    if (create.code !== 0) throw new Error(`redis-cli --cluster create failed (${create.code}):\n${create.out}`);
    const cluster = handle(nodes, dir, stopAll);
    await cluster.waitHealthy(30_000).catch((err: Error) => {
      throw new Error(`${err.message}\nredis-cli --cluster create said:\n${create.out}`);
    });
    return cluster;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function handle(nodes: ClusterNode[], dir: string, stopAll: () => Promise<void>): RedisCluster {
  const alive = () => nodes.filter((n) => n.proc.exitCode === null && n.proc.signalCode === null);
  const role = async (n: ClusterNode) => (await withClient(n, (r) => r.info('replication'))).match(/role:(\w+)/)?.[1];
  return {
    nodes,
    urls: nodes.map((n) => n.url),
    async masters() {
      const roles = await Promise.all(alive().map(async (n) => [n, await role(n)] as const));
      return roles.filter(([, r]) => r === 'master').map(([n]) => n);
    },
    async kill(node) {
      await killProc(node.proc, 'SIGKILL');
    },
    async waitHealthy(timeoutMs = 20_000, masters = 3) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        try {
          last = await health(alive(), masters);
          if (last === '') return;
        } catch (err) {
          last = (err as Error).message;
        }
        await sleep(100);
      }
      throw new Error(`Redis Cluster not healthy after ${timeoutMs} ms: ${last}`);
    },
    stop: stopAll,
  };
}

/** '' when healthy, else what is missing. */
async function health(live: ClusterNode[], wantMasters: number): Promise<string> {
  let masters = 0;
  for (const n of live) {
    const [info, repl] = await withClient(n, async (r) => [await r.cluster('INFO'), await r.info('replication')] as const);
    if (!/cluster_state:ok/.test(info)) return `${n.port}: cluster_state not ok`;
    if (!/cluster_slots_ok:16384/.test(info)) return `${n.port}: not every slot is served`;
    if (/role:master/.test(repl)) masters++;
    else if (!/master_link_status:up/.test(repl)) return `${n.port}: replica link not up`;
  }
  if (masters !== wantMasters) return `${masters} masters, want ${wantMasters}`;
  return '';
}

async function withClient<T>(n: ClusterNode, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis(n.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 500, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

async function waitPing(n: ClusterNode, logs: Map<number, string>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (n.proc.exitCode !== null) break;
    try {
      if ((await withClient(n, (r) => r.ping())) === 'PONG') return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`redis-server on ${n.port} did not start:\n${logs.get(n.port)}`);
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    p.on('exit', (code) => resolve({ code, out }));
  });
}

async function killProc(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  await exited;
}
