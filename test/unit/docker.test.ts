import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadConfigFile } from '../../src/config/config.loader';
import { START_NODE_FLAGS } from '../helpers/process.harness';

const ROOT = join(__dirname, '..', '..');
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');

/** Compose's ${NAME:-default} as `docker compose` resolves it with nothing set. */
function interpolate(value: unknown): string {
  return String(value).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
}

const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as any;
const env = (service: string): Record<string, string> =>
  Object.fromEntries(Object.entries(compose.services[service].environment ?? {}).map(([k, v]) => [k, interpolate(v)]));

describe('docker-compose.yml and the Dockerfile fit the code', () => {
  it('runs gateway, redis and sandbox; the sandbox from compiled code that the source tree builds', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['gateway', 'redis', 'sandbox']);
    const cmd = compose.services.sandbox.command as string[];
    expect(cmd).toEqual(['node', 'dist/sandbox/sandbox.main.js']);
    expect(existsSync(join(ROOT, 'src', 'sandbox', 'sandbox.main.ts'))).toBe(true);
  });

  it('the gateway config it mounts is valid with the environment compose gives it, and points at the sandbox ports compose opens', () => {
    const gw = env('gateway');
    expect(gw.GATEWAY_CONFIG).toBe('/app/config/docker.gateway.yaml');
    const config = loadConfigFile(join(ROOT, gw.GATEWAY_CONFIG.replace(/^\/app\//, '')), gw);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.redis?.url).toBe(gw.REDIS_URL);
    expect(new URL(gw.REDIS_URL).hostname).toBe('redis');
    const sandbox = env('sandbox');
    const ports = config.providers.map((p) => {
      const url = new URL(p.baseUrl);
      expect(url.hostname).toBe('sandbox');
      return url.port;
    });
    expect(ports.sort()).toEqual([sandbox.SANDBOX_HOOP_PORT, sandbox.SANDBOX_UNLEASH_PORT, sandbox.SANDBOX_VERSORI_PORT, sandbox.SANDBOX_GENERIC_PORT].sort());
    // The gateway's token for each provider is the one the sandbox was started with.
    for (const p of config.providers) expect(config.providerTokens[p.id]).toBe(sandbox[p.tokenEnv]);
    expect(compose.services.gateway.depends_on).toMatchObject({ redis: { condition: 'service_healthy' }, sandbox: { condition: 'service_healthy' } });
  });

  it('the image builds dist/ in one stage and runs it as a non-root user with production dependencies only', () => {
    const dockerfile = read('Dockerfile');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/RUN npm ci --ignore-scripts/);
    expect(stages[0]).toMatch(/RUN npm run build/);
    const runtime = stages[1];
    expect(runtime).toMatch(/RUN npm ci --omit=dev --ignore-scripts/);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(runtime).not.toMatch(/COPY (src|test|node_modules)\b/);
    // The runtime stage has no sources and no compiler: building there would fail (or empty dist/).
    expect(runtime).not.toMatch(/npm run build|npm prune|\btsc\b/);
    expect(runtime).toMatch(/^USER node$/m);
    // The image runs what `npm start` runs, flags included (docs/performance.md).
    const cmd = /^CMD (\[.*\])$/m.exec(runtime)?.[1];
    // `exec`: the shell npm runs the script in becomes node, so a SIGTERM to `npm start` reaches the gateway.
    expect(cmd && `exec ${(JSON.parse(cmd) as string[]).join(' ')}`).toBe(JSON.parse(read('package.json')).scripts.start);
    expect(JSON.parse(cmd!)).toEqual(['node', ...START_NODE_FLAGS, 'dist/main.js']);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*\/readyz/m);
    // dist/ mirrors src/ (tsconfig.build.json's rootDir), so the CMD's file is src/main.ts compiled.
    expect(JSON.parse(read('tsconfig.build.json')).compilerOptions.rootDir).toBe('src');
  });

  it('what the running image needs at run time is a production dependency', () => {
    const pkg = JSON.parse(read('package.json'));
    for (const dep of ['graphiql', 'react', 'react-dom', 'pino-pretty', '@apollo/server']) expect(pkg.dependencies[dep]).toBeDefined();
    expect(read('.dockerignore').split('\n')).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', '.cache']));
  });
});
