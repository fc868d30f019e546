import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

/**
 * The node flags `npm start` puts before dist/main.js (package.json), so tests
 * and the bench start the gateway exactly as it does (docs/performance.md).
 */
export const START_NODE_FLAGS: readonly string[] = (() => {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const m = /^(?:exec\s+)?node((?:\s+--[\w-]+(?:=\S+)?)*)\s+dist\/main\.js$/.exec(start.trim());
  if (!m) throw new Error(`npm start is not "exec node [--flags] dist/main.js": ${start}`);
  return m[1].split(/\s+/).filter(Boolean);
})();

export interface GatewayProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves once the process logged that it listens; rejects when it exits first. */
  ready: Promise<void>;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnOptions {
  /** Its own process group (so a test can signal the group: `process.kill(-pid)`). */
  readonly detached?: boolean;
  /** Node flags before the script (e.g. --expose-gc). */
  readonly nodeArgs?: readonly string[];
}

/**
 * The gateway as a separate OS process, started the way `npm start` starts
 * it: compiled JavaScript (the jest global setup rebuilds a stale dist/).
 */
export function spawnGateway(env: Record<string, string | undefined>, args: string[] = [], options: SpawnOptions = {}): GatewayProcess {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...START_NODE_FLAGS, join(ROOT, 'dist', 'main.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached,
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('identity-gateway listening on')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`gateway exited with ${code} before listening:\n${out}`)));
  });
  ready.catch(() => undefined);
  return {
    child,
    output: () => out,
    ready,
    exited,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
