import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../helpers/redis.global-setup';
import { ROOT, spawnGateway, type GatewayProcess } from '../helpers/process.harness';

/** The README's example, run exactly as written against the embedded default (`npm start`). */
function readmeExample(): { url: string; body: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- readme-example[^>]*-->\s*```sh\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README example block not found');
  const command = block[1].replace(/\\\n\s*/g, ' ');
  const url = /curl -s (\S+)/.exec(command)![1];
  const body = /-d '(.*)'\s*$/.exec(command.trim())![1];
  return { url, body };
}

describe('the README example against `npm start`', () => {
  let gw: GatewayProcess;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    gw = spawnGateway({ PORT: String(port), GATEWAY_CONFIG: undefined, REDIS_URL: undefined });
    await gw.ready;
  }, 60_000);
  afterAll(async () => {
    expect(await gw.kill('SIGTERM')).toBe(0);
  });

  it('creates the account on all four providers with their credentials, then answers CONFLICT', async () => {
    const { url, body } = readmeExample();
    expect(url).toBe('http://127.0.0.1:4000/graphql');
    const target = url.replace(':4000', `:${port}`);
    const post = () => fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    const first = (await (await post()).json()) as any;
    expect(first.errors).toBeUndefined();
    const payload = first.data.createServiceAccount;
    expect(payload.status).toBe('SUCCEEDED');
    expect(payload.results.map((r: any) => [r.provider.id, r.__typename])).toEqual([
      ['hoop', 'ServiceAccountCreated'],
      ['unleash', 'ServiceAccountCreated'],
      ['versori', 'ServiceAccountCreated'],
      ['generic', 'ServiceAccountCreated'],
    ]);
    const secrets = payload.results.flatMap((r: any) => r.credentials.map((c: any) => c.secret));
    expect(payload.results[1].credentials[0].kind).toBe('PERSONAL_ACCESS_TOKEN');
    expect(payload.results[2].credentials[0]).toMatchObject({ kind: 'CLIENT_SECRET', clientId: expect.any(String) });

    const second = (await (await post()).json()) as any;
    expect(second.data).toEqual({ createServiceAccount: null });
    expect(second.errors[0].extensions.code).toBe('CONFLICT');
    expect(second.errors[0].extensions.original.results.map((r: any) => r.id)).toEqual(payload.results.map((r: any) => r.account.id));
    // The one-time credentials are neither replayed nor logged.
    for (const s of secrets) {
      expect(JSON.stringify(second)).not.toContain(s);
      expect(gw.output()).not.toContain(s);
    }
    expect(gw.output()).toContain(`identity-gateway listening on http://127.0.0.1:${port}/graphql`);
  });

  it("the tour's step 3 as written: the Versori sandbox's `faults` URL from the start-up log takes the README's fault, and the create is PARTIAL", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const fault = /curl -s -X POST "\$VERSORI_FAULTS" -H 'content-type: application\/json' \\\n\s*-d '(.*)'/.exec(readme)![1];
    const started = gw
      .output()
      .split('\n')
      .find((l) => l.includes('embedded default: sandbox providers started'));
    const versori = (JSON.parse(started!).sandboxes as Array<{ kind: string; faults: string }>).find((s) => s.kind === 'versori')!;
    const armed = await fetch(versori.faults, { method: 'POST', headers: { 'content-type': 'application/json' }, body: fault });
    expect(armed.status).toBeLessThan(300);
    const create = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation { createServiceAccount(input: {name: "tour-${Date.now().toString(36)}"}) { status results { __typename ... on ProviderFailure { provider { id } code retryable } } } }`,
      }),
    });
    const payload = ((await create.json()) as any).data.createServiceAccount;
    expect(payload.status).toBe('PARTIAL');
    expect(payload.results.filter((r: any) => r.__typename === 'ProviderFailure')).toEqual([
      { __typename: 'ProviderFailure', provider: { id: 'versori' }, code: 'UNAVAILABLE', retryable: true },
    ]);
  });
});

describe('the embedded default on Redis (`REDIS_URL=… npm start`) without IDEMPOTENCY_HMAC_KEY', () => {
  it('a repeat after a restart is still CONFLICT: the development key it falls back to is the same in every run', async () => {
    const port = await freePort();
    const env = { PORT: String(port), GATEWAY_CONFIG: undefined, REDIS_URL: process.env.REDIS_URL, IDEMPOTENCY_HMAC_KEY: undefined };
    const name = `restart-${Date.now().toString(36)}`;
    const create = async () =>
      (await (
        await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `mutation { createServiceAccount(input: {name: "${name}", providers: ["hoop"]}) { status } }` }),
        })
      ).json()) as any;
    const first = spawnGateway(env);
    await first.ready;
    expect((await create()).data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(first.output()).toContain('IDEMPOTENCY_HMAC_KEY not set: the embedded default uses a fixed development key');
    expect(await first.kill('SIGTERM')).toBe(0);

    const second = spawnGateway(env);
    await second.ready;
    try {
      expect((await create()).errors[0].extensions.code).toBe('CONFLICT');
    } finally {
      expect(await second.kill('SIGTERM')).toBe(0);
    }
  }, 60_000);
});
