import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../helpers/redis.global-setup';

export const UNLEASH_VERSION = '8.2.0';
const ROOT = join(__dirname, '..', '..');
export const CACHE = process.env.UNLEASH_CACHE_DIR ?? join(ROOT, '.cache', 'unleash');
/** Low enough for the 429 test to reach; the behaviour suite spreads its calls over X-Forwarded-For addresses. */
export const RATE_LIMIT_PER_MINUTE = 8;

/**
 * Installs unleash-server into a cache folder (not a project dependency: it
 * is ~200 MB), creates a fresh database on the local PostgreSQL, starts the
 * server on a free loopback port with an admin token, and waits for /health.
 */
export default async function globalSetup(): Promise<void> {
  if (!(await reachable(5432))) {
    throw new Error('PostgreSQL does not answer on 127.0.0.1:5432: the real-Unleash suite needs it (see README, "Testing against a real Unleash").');
  }
  const server = join(CACHE, 'node_modules', 'unleash-server', 'dist', 'server.js');
  if (!existsSync(server)) {
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(join(CACHE, 'package.json'), JSON.stringify({ name: 'unleash-server-cache', private: true }));
    process.stderr.write(`installing unleash-server@${UNLEASH_VERSION} into ${CACHE} (~200 MB, once)\n`);
    const install = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `unleash-server@${UNLEASH_VERSION}`], {
      cwd: CACHE,
      stdio: 'inherit',
    });
    if (install.status !== 0 || !existsSync(server)) throw new Error(`could not install unleash-server@${UNLEASH_VERSION}`);
  }

  const db = `idgw_unleash_${randomBytes(4).toString('hex')}`;
  psql(`CREATE DATABASE ${db}`);
  const port = await freePort();
  const token = `*:*.${randomBytes(16).toString('hex')}`;
  const log = openSync(join(CACHE, 'server.log'), 'w');
  const child = spawn(process.execPath, [server], {
    cwd: join(CACHE, 'node_modules', 'unleash-server'),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${db}`,
      DATABASE_SSL: 'false',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      UNLEASH_URL: `http://127.0.0.1:${port}`,
      INIT_ADMIN_API_TOKENS: token,
      CHECK_VERSION: 'false',
      SEND_TELEMETRY: 'false',
      CREATE_USER_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', log, log],
    detached: true,
  });
  child.unref();
  process.env.UNLEASH_TEST_PID = String(child.pid);
  process.env.UNLEASH_TEST_DB = db;

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`unleash-server exited with ${child.exitCode}; see ${join(CACHE, 'server.log')}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`unleash-server did not become healthy in 90 s; see ${join(CACHE, 'server.log')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  process.env.UNLEASH_TEST_URL = url;
  process.env.UNLEASH_TEST_TOKEN = token;
  process.stderr.write(`unleash-server ${UNLEASH_VERSION} ready at ${url} (database ${db})\n`);
}

export function psql(sql: string): void {
  const res = spawnSync('psql', ['-h', '127.0.0.1', '-p', '5432', '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`psql failed (${sql}): ${res.stderr || res.error?.message}`);
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
