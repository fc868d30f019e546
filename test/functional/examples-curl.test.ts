import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { sandboxGatewayConfig, startSandboxes, type SandboxSet } from '../../src/sandbox/sandbox.set';
import { freePort } from '../helpers/redis.global-setup';
import { ROOT, spawnGateway, type GatewayProcess } from '../helpers/process.harness';

const API_KEY = 'curl-example-key-0123456789';
const run = promisify(execFile);

describe('examples/curl/service-to-service.sh against a spawned gateway that requires an API key', () => {
  let sandboxes: SandboxSet;
  let gw: GatewayProcess;
  let url: string;
  beforeAll(async () => {
    sandboxes = await startSandboxes();
    const port = await freePort();
    const config: any = sandboxGatewayConfig(sandboxes, { port });
    config.clients = [{ id: 'provisioning-job', keySha256: createHash('sha256').update(API_KEY).digest('hex'), scopes: ['identity:read', 'identity:write'] }];
    const file = join(mkdtempSync(join(tmpdir(), 'idgw-curl-')), 'gateway.yaml');
    writeFileSync(file, stringify(config));
    gw = spawnGateway({ GATEWAY_CONFIG: file, REDIS_URL: undefined, PORT: undefined, ...sandboxes.tokens });
    await gw.ready;
    url = `http://127.0.0.1:${port}/graphql`;
  }, 60_000);
  afterAll(async () => {
    await gw?.kill('SIGTERM');
    await sandboxes?.stop();
  });

  it('creates on every provider under the Idempotency-Key, and the retry is CONFLICT', async () => {
    const name = `curl-${Date.now().toString(36)}`;
    const { stdout } = await run('bash', [join(ROOT, 'examples', 'curl', 'service-to-service.sh')], {
      env: { ...process.env, GATEWAY_URL: url, API_KEY, NAME: name },
      timeout: 20_000,
    });
    const answers = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(answers).toHaveLength(3);
    expect(answers[0].data.viewer.id).toBe('provisioning-job');
    expect(answers[1].data.createServiceAccount).toMatchObject({ idempotencyKey: `create-sa-${name}`, status: 'SUCCEEDED' });
    expect(answers[1].data.createServiceAccount.results).toHaveLength(4);
    expect(answers[2].errors[0].extensions).toMatchObject({ code: 'CONFLICT', idempotencyKey: `create-sa-${name}` });
  });

  it('without a valid key the script fails loudly (HTTP 401)', async () => {
    await expect(
      run('bash', [join(ROOT, 'examples', 'curl', 'service-to-service.sh')], { env: { ...process.env, GATEWAY_URL: url, API_KEY: 'wrong' }, timeout: 20_000 }),
    ).rejects.toMatchObject({
      stdout: expect.stringContaining('UNAUTHENTICATED'),
    });
  });
});
