import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveConfig } from '../../src/config/config.loader';
import { ConfigError } from '../../src/config/config.error';
import { createLogger } from '../../src/observability/pino.logger';
import { PROVIDER_MODULES } from '../../src/providers/provider.registry';
import { startGateway, type RunningGateway } from '../../src/app';
import { gql } from '../helpers/graphql.client';
import { echoModule } from '../fixtures/providers/echo/echo.module';

/** A provider kind is one folder and one line: this one lives in test/fixtures/providers/echo/. */
const MODULES = [...PROVIDER_MODULES, echoModule];

describe('a provider kind is a plug-in module', () => {
  let stub: Server;
  let received: Array<{ path: string; auth?: string; body: any }>;
  let gateway: RunningGateway;

  beforeAll(async () => {
    received = [];
    stub = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        const body = JSON.parse(text);
        received.push({ path: req.url!, auth: req.headers.authorization, body });
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'e-1', name: body.name }));
      });
    });
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    const config = resolveConfig(
      { server: { port: 0 }, providers: [{ id: 'echo-1', kind: 'echo', baseUrl: base, tokenEnv: 'ECHO_TOKEN', defaults: { tag: 'from-defaults' } }] },
      { ECHO_TOKEN: 'echo-secret' },
      MODULES,
    );
    gateway = await startGateway(config, { modules: MODULES, logger: createLogger({ level: 'silent' }) });
  });
  afterAll(async () => {
    await gateway.close();
    await new Promise((r) => stub.close(r));
  });

  it('is accepted in config, and its own config schema rejects what it does not know', () => {
    expect(() => resolveConfig({ providers: [{ id: 'e', kind: 'echo', baseUrl: 'http://x', tokenEnv: 'T', extra: 1 }] }, { T: 't' }, MODULES)).toThrow(
      ConfigError,
    );
    // Without the module in the list, the kind is unknown.
    expect(() => resolveConfig({ providers: [{ id: 'e', kind: 'echo', baseUrl: 'http://x', tokenEnv: 'T' }] }, { T: 't' })).toThrow(ConfigError);
  });

  it('is present in the built schema: a ProviderKind member and an options field of the create input', async () => {
    const res = await gql(
      gateway.url,
      `{
      kinds: __type(name: "ProviderKind") { enumValues { name } }
      input: __type(name: "CreateServiceAccountInput") { inputFields { name type { name } } }
      providers { id kind capabilities }
    }`,
    );
    expect(res.body.data.kinds.enumValues.map((v: any) => v.name)).toEqual(['HOOP', 'UNLEASH', 'VERSORI', 'GENERIC', 'ECHO']);
    expect(res.body.data.input.inputFields).toContainEqual({ name: 'echo', type: { name: 'EchoServiceAccountOptions' } });
    expect(res.body.data.providers).toEqual([{ id: 'echo-1', kind: 'ECHO', capabilities: ['CREATE_SERVICE_ACCOUNT'] }]);
  });

  it('is called by a mutation, with its options validated and its defaults applied', async () => {
    const bad = await gql(gateway.url, 'mutation { createServiceAccount(input: {name: "e-bad", echo: {tag: "xxxxxxxxxxxxxxxxxxxxxxxxx"}}) { status } }');
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'echo.tag' });
    expect(received).toHaveLength(0);

    const res = await gql(
      gateway.url,
      'mutation { a: createServiceAccount(input: {name: "echoed"}) { status results { ... on ServiceAccountCreated { provider { id kind } account { id name } } } } }',
    );
    expect(res.body.data.a).toEqual({ status: 'SUCCEEDED', results: [{ provider: { id: 'echo-1', kind: 'ECHO' }, account: { id: 'e-1', name: 'echoed' } }] });
    expect(received).toEqual([{ path: '/echo', auth: 'Bearer echo-secret', body: { name: 'echoed', tag: 'from-defaults' } }]);
  });
});
