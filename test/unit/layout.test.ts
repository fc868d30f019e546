import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** DESIGN §2's import rules, checked on the source itself. */
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

describe('layout and import rules', () => {
  it('graphql/ talks to identity/ and errors/ only (plus the request context)', () => {
    expect(offenders('graphql', (t) => t.startsWith('pkg:') || ['graphql', 'identity', 'errors', 'context'].includes(t.replace(/\.ts$/, '')))).toEqual([]);
  });

  it('identity/ knows adapters and stores by interface only: no undici, ioredis, GraphQL or sandbox', () => {
    expect(offenders('identity', (t) => !['pkg:undici', 'pkg:ioredis', 'pkg:graphql', 'pkg:type-graphql', 'pkg:@apollo/server', 'sandbox', 'graphql', 'http'].includes(t))).toEqual([]);
  });

  it('providers/ know nothing of GraphQL, idempotency or the sandbox', () => {
    expect(offenders('providers', (t) => !['pkg:graphql', 'pkg:type-graphql', 'pkg:@apollo/server', 'pkg:ioredis', 'graphql', 'idempotency', 'identity', 'sandbox'].includes(t))).toEqual([]);
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

  it('files are named <thing>.<role>.ts (entry points excepted)', () => {
    const loose = all.map((f) => relative(SRC, f.file)).filter((p) => !/(^|\/)[a-z0-9-]+\.[a-z0-9-]+\.ts$/.test(p) && !/^(main|app|schema|context)\.ts$/.test(p));
    expect(loose).toEqual([]);
  });
});
