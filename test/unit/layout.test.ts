import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The import rules of the README's Layout section, checked on the source itself. */
const SRC = join(__dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]);
}

/** Top-level folder (or file) under src/ that an import of `spec` from `file` lands in; packages by name. */
function target(file: string, spec: string): string {
  if (!spec.startsWith('.')) return `pkg:${spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]}`;
  return relative(SRC, join(file, '..', spec)).split('/')[0];
}

const all = files(SRC).map((f) => ({ area: relative(SRC, f).split('/')[0], file: f, targets: imports(f).map((s) => target(f, s)) }));
const of = (area: string) => all.filter((f) => f.area === area);
const offenders = (area: string, allowed: (t: string) => boolean) =>
  of(area).flatMap((f) => f.targets.filter((t) => !allowed(t)).map((t) => `${relative(SRC, f.file)} → ${t}`));

const KINDS = ['hoop', 'unleash', 'versori', 'generic'];
const GRAPHQL_PACKAGES = ['pkg:graphql', 'pkg:type-graphql', 'pkg:@apollo/server'];

/** Code without comments and without prose: what remains names things. */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1')
    .replace(/(['"`])((?:\\.|(?!\1)[^\\\n])*)\1/g, (m, _q, body: string) => (KINDS.includes(body) ? m : "''"));
}

describe('layout and import rules', () => {
  it('domain/ is the shared vocabulary: it imports no other layer', () => {
    expect(offenders('domain', (t) => t === 'domain')).toEqual([]);
  });

  it('graphql/ talks to identity/, errors/ and domain/ only (plus the request context)', () => {
    expect(
      offenders('graphql', (t) => t.startsWith('pkg:') || ['graphql', 'identity', 'errors', 'domain', 'context'].includes(t.replace(/\.ts$/, ''))),
    ).toEqual([]);
  });

  it('identity/ knows adapters and stores by interface only: no undici, ioredis, GraphQL or sandbox', () => {
    expect(
      offenders('identity', (t) => !['pkg:undici', 'pkg:ioredis', ...GRAPHQL_PACKAGES, 'sandbox', 'graphql', 'providers', 'idempotency'].includes(t)),
    ).toEqual([]);
  });

  it('idempotency/ speaks domain/, never providers/', () => {
    expect(offenders('idempotency', (t) => !['providers', 'identity', 'graphql', 'sandbox', ...GRAPHQL_PACKAGES].includes(t))).toEqual([]);
  });

  it("providers/ know nothing of GraphQL, idempotency or the sandbox; only a kind's <kind>.options.ts knows GraphQL", () => {
    const bad = of('providers').flatMap((f) => {
      const rel = relative(SRC, f.file);
      const optionsFile = /^providers\/[a-z0-9-]+\/[a-z0-9-]+\.options\.ts$/.test(rel);
      return f.targets
        .filter((t) => ['pkg:ioredis', 'graphql', 'idempotency', 'identity', 'sandbox'].includes(t) || (!optionsFile && GRAPHQL_PACKAGES.includes(t)))
        .map((t) => `${rel} → ${t}`);
    });
    expect(bad).toEqual([]);
  });

  it('a provider adapter file knows nothing of GraphQL, even through its own folder', () => {
    const adapters = all.filter((f) => /\.adapter\.ts$/.test(f.file) && f.area === 'providers');
    expect(adapters.length).toBeGreaterThanOrEqual(4);
    const bad = adapters.filter(
      (f) => /from '\.\/[a-z0-9-]+\.options'/.test(readFileSync(f.file, 'utf8')) || f.targets.some((t) => GRAPHQL_PACKAGES.includes(t)),
    );
    expect(bad.map((f) => relative(SRC, f.file))).toEqual([]);
  });

  it("outside providers/<kind>/ and sandbox/, no code names a provider kind, except the registry's list", () => {
    const named = all
      .filter((f) => !/^(providers\/[a-z0-9-]+\/|sandbox\/)/.test(relative(SRC, f.file)) && relative(SRC, f.file) !== 'providers/provider.registry.ts')
      .flatMap((f) => {
        const hits = code(f.file).match(new RegExp(`\\b\\w*(${KINDS.join('|')})\\w*\\b`, 'gi')) ?? [];
        return hits.map((h) => `${relative(SRC, f.file)}: ${h}`);
      });
    expect(named).toEqual([]);
  });

  it('server/ is HTTP only: it knows the error codes, not the identity service, providers, stores or schema', () => {
    expect(offenders('server', (t) => t.startsWith('pkg:') || ['server', 'errors'].includes(t))).toEqual([]);
  });

  it('sandbox/ shares no code with providers/ (an independent reading of each contract)', () => {
    expect(offenders('sandbox', (t) => t.startsWith('pkg:') || t === 'sandbox')).toEqual([]);
  });

  it('production code imports sandbox/ only for the embedded default in main.ts', () => {
    const importers = all.filter((f) => f.area !== 'sandbox' && f.targets.includes('sandbox')).map((f) => relative(SRC, f.file));
    expect(importers).toEqual(['main.ts']);
  });

  it('files are named <thing>.<role>.ts (entry points and index.ts excepted)', () => {
    const loose = all
      .map((f) => relative(SRC, f.file))
      .filter((p) => !/(^|\/)[a-z0-9-]+\.[a-z0-9-]+\.ts$/.test(p) && !/^(main|app|server|schema|context)\.ts$/.test(p) && !/(^|\/)index\.ts$/.test(p));
    expect(loose).toEqual([]);
  });
});
