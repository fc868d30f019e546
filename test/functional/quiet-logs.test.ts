import { connect } from 'node:net';
import { CREATE_SA } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

const logLines = (h: Harness) =>
  h
    .logs()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('what the gateway keeps to itself', () => {
  describe('introspection off', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ configure: (c) => (c.server = { ...c.server, introspection: false }) });
    });
    afterAll(() => h.close());

    it('gives no "Did you mean" suggestions that would reveal the schema', async () => {
      const res = await h.gql('{ provider { id } }');
      expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.text).not.toMatch(/Did you mean/);
      const introspection = await h.gql('{ __schema { types { name } } }');
      expect(introspection.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  });

  describe('a client that hangs up', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(() => h.close());

    it('is logged once, at info, without a stack', async () => {
      const { port } = new URL(h.url);
      for (let i = 0; i < 5; i++) {
        await new Promise<void>((resolve) => {
          const socket = connect(Number(port), '127.0.0.1', () => {
            socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":');
            setTimeout(() => {
              socket.destroy();
              resolve();
            }, 30);
          });
        });
      }
      await new Promise((r) => setTimeout(r, 100));
      const lines = logLines(h);
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
      const aborted = lines.filter((l) => /closed the connection/.test(l.msg));
      expect(aborted).toHaveLength(5);
      for (const l of aborted) {
        expect(l.level).toBe(30);
        expect(l.stack).toBeUndefined();
      }
      // and the gateway still serves
      const res = await h.gql(CREATE_SA, { input: { name: uniqueName('after'), providers: ['hoop'] } });
      expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    });
  });

  describe('clients without redis', () => {
    it('warns at start that a one-process store serves a multi-client deployment', async () => {
      const h = await startHarness({ configure: (c) => (c.clients = [{ id: 'a', keySha256: 'a'.repeat(64), scopes: ['identity:read'] }]) });
      await h.close();
      expect(logLines(h).some((l) => l.level === 40 && /without `redis`/.test(l.msg))).toBe(true);
    });
  });

  describe('a create where every target is UNSUPPORTED', () => {
    it('leaves no idempotency record behind', async () => {
      const h = await startHarness();
      try {
        const store = h.gateway.store as unknown as { size: { records: number } };
        const before = store.size.records;
        const res = await h.gql('mutation($i: CreateUserInput!) { createUser(input: $i) { status results { ... on ProviderFailure { code } } } }', {
          i: { email: `${uniqueName('u')}@example.com`, providers: ['versori', 'generic'] },
        });
        expect(res.body.data.createUser).toEqual({ status: 'FAILED', results: [{ code: 'UNSUPPORTED' }, { code: 'UNSUPPORTED' }] });
        expect(store.size.records).toBe(before);
      } finally {
        await h.close();
      }
    });
  });
});
