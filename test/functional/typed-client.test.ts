import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServiceAccount, GatewayRequestError } from '../../examples/typed-client/gateway.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

const ROOT = join(__dirname, '..', '..');
const API_KEY = 'typed-client-key-0123456789';
const run = promisify(execFile);

describe('examples/typed-client', () => {
  const codegenCheck = (file: string) =>
    run(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'scripts', 'typed-client.codegen.ts'), '--check', '--file', file], {
      cwd: ROOT,
      timeout: 60_000,
    }).then(
      (r) => ({ status: 0, stderr: r.stderr }),
      (e) => ({ status: e.code as number, stderr: String(e.stderr) }),
    );

  it('its generated types match schema/schema.graphql, and a stale copy is caught (`npm run examples:codegen` fixes it)', async () => {
    const generated = join(ROOT, 'examples', 'typed-client', 'generated', 'graphql.ts');
    const stale = join(mkdtempSync(join(tmpdir(), 'idgw-codegen-')), 'graphql.ts');
    writeFileSync(stale, readFileSync(generated, 'utf8').replace("'SUCCEEDED'", "'SUCCEEDED' | 'RENAMED'"));
    const [fresh, old] = await Promise.all([codegenCheck(generated), codegenCheck(stale)]);
    expect(fresh).toEqual({ status: 0, stderr: '' });
    expect(old.status).toBe(1);
    expect(old.stderr).toContain('is stale against schema/schema.graphql');
  });

  it('typechecks on its own (tsc -p examples/typed-client)', () => {
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'examples', 'typed-client')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  describe('against a gateway with an API key', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        configure: (c) =>
          (c.clients = [{ id: 'typed', keySha256: createHash('sha256').update(API_KEY).digest('hex'), scopes: ['identity:read', 'identity:write'] }]),
      });
    });
    afterAll(() => h.close());

    it('one typed createServiceAccount creates on every provider; the retry under the same key is a CONFLICT error', async () => {
      const name = uniqueName('typed');
      const payload = await createServiceAccount({ url: h.url, apiKey: API_KEY }, { name, displayName: 'Typed' }, `typed-${name}`);
      expect(payload.status).toBe('SUCCEEDED');
      expect(payload.idempotencyKey).toBe(`typed-${name}`);
      expect(payload.results.map((r) => (r.__typename === 'ServiceAccountCreated' ? r.account.name : r.code))).toEqual([name, name, name, name]);
      await expect(createServiceAccount({ url: h.url, apiKey: API_KEY }, { name, displayName: 'Typed' }, `typed-${name}`)).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      await expect(createServiceAccount({ url: h.url, apiKey: 'wrong' }, { name })).rejects.toBeInstanceOf(GatewayRequestError);
    });
  });
});
