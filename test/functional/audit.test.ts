import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { CREATE_SA, CREATE_USER } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';
import { RedisIdempotencyStore } from '../../src/idempotency/redis.store';
import { MemoryIdempotencyStore } from '../../src/idempotency/memory.store';
import type { AuditEvent, IdempotencyStore } from '../../src/domain';
import { freePort } from '../helpers/redis.global-setup';
import { RedisProcess } from '../helpers/redis.process';

const AUDIT = /* GraphQL */ `
  query Audit($first: Int, $after: String, $filter: AuditFilter) {
    auditEvents(first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          at
          requestId
          clientId
          operation
          idempotencyKey
          status
          targets {
            providerId
            result
            id
            code
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const WRITER = { authorization: 'Bearer writer-key' };
const OTHER = { authorization: 'Bearer other-key' };
const AUDITOR = { authorization: 'Bearer auditor-key' };

describe('the audit trail: one event per create attempt that reached the store', () => {
  let h: Harness;
  let redis: Redis;
  const audit = async (vars: Record<string, unknown> = {}) => {
    const res = await h.gql(AUDIT, { first: 100, ...vars }, AUDITOR);
    expect(res.body.errors).toBeUndefined();
    return res.body.data.auditEvents;
  };
  const eventsOf = async (key: string) =>
    (await audit({ filter: { clientId: 'writer' } })).edges.map((e: any) => e.node).filter((n: any) => n.idempotencyKey === key);

  beforeAll(async () => {
    h = await startHarness({
      redis: true,
      configure: (c) => {
        c.clients = [
          { id: 'writer', keySha256: sha('writer-key'), scopes: ['identity:read', 'identity:write'] },
          { id: 'other', keySha256: sha('other-key'), scopes: ['identity:read', 'identity:write'] },
          { id: 'auditor', keySha256: sha('auditor-key'), scopes: ['identity:audit'] },
        ];
      },
    });
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    redis.disconnect();
    await h.close();
  });
  beforeEach(() => h.sandboxes.reset());

  it('a full page of 100 with the whole selection is within the default cost limit, written inline as with a variable', async () => {
    const inline = AUDIT.replace(/query Audit\([^)]*\)/, 'query Audit').replace('first: $first, after: $after, filter: $filter', 'first: 100');
    expect(inline).toContain('auditEvents(first: 100)');
    const res = await h.gql(inline, {}, AUDITOR);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.auditEvents.edges.length).toBeLessThanOrEqual(100);
  });

  it("a provider's request id for a failure reaches the client and the audit trail, for the provider's support", async () => {
    const key = uniqueName('k');
    h.sandboxes.generic.inject({ response: { status: 409, body: { code: 409, data: null, message: 'name taken', requestId: 'req_support_42' } } });
    const res = await h.gql(
      'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { results { ... on ProviderFailure { code upstreamRequestId } } } }',
      { input: { name: uniqueName('rid'), providers: ['generic'], idempotencyKey: key } },
      WRITER,
    );
    expect(res.body.data.createServiceAccount.results).toEqual([{ code: 'CONFLICT', upstreamRequestId: 'req_support_42' }]);
    const audit = await h.gql(
      '{ auditEvents(first: 100, filter: { clientId: "writer" }) { edges { node { idempotencyKey targets { providerId code httpStatus upstreamRequestId } } } } }',
      {},
      AUDITOR,
    );
    const event = audit.body.data.auditEvents.edges.map((e: any) => e.node).find((n: any) => n.idempotencyKey === key);
    expect(event.targets).toEqual([{ providerId: 'generic', code: 'CONFLICT', httpStatus: 409, upstreamRequestId: 'req_support_42' }]);
    // The attempt's log line says the same.
    const line = h
      .logs()
      .split('\n')
      .find((l) => l.includes(key) && l.includes('"audit"'));
    expect(JSON.parse(line!).audit.targets).toEqual([
      { providerId: 'generic', result: 'FAILED', code: 'CONFLICT', httpStatus: 409, upstreamRequestId: 'req_support_42' },
    ]);
  });

  it("a 5xx's request id is part of a 5xx body: the log line for support has it; the client, the record and the audit trail do not", async () => {
    const key = uniqueName('k');
    const requestId = `req-${uniqueName('x')}`;
    for (const response of [
      { status: 500, body: { code: 500, data: null, message: 'internal error', requestId } },
      { status: 200, body: { code: 503, data: null, message: 'pool exhausted', requestId } },
    ]) {
      h.sandboxes.generic.inject({ response });
      const res = await h.gql(
        'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { results { ... on ProviderFailure { code httpStatus upstreamRequestId } } } }',
        { input: { name: uniqueName('rid5'), providers: ['generic'], idempotencyKey: `${key}-${response.status}` } },
        WRITER,
      );
      expect(res.body.data.createServiceAccount.results).toEqual([{ code: 'UNAVAILABLE', httpStatus: response.body.code, upstreamRequestId: null }]);
      expect(res.text).not.toContain(requestId);
    }
    for (const k of await redis.keys(`${h.keyPrefix}*`)) {
      const type = await redis.type(k);
      const dump =
        type === 'string'
          ? await redis.get(k)
          : type === 'hash'
            ? JSON.stringify(await redis.hgetall(k))
            : type === 'stream'
              ? JSON.stringify(await redis.xrange(k, '-', '+'))
              : '';
      expect(dump ?? '').not.toContain(requestId);
    }
    const lines = h
      .logs()
      .split('\n')
      .filter((l) => l.includes(requestId));
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        level: 40,
        provider: 'generic',
        httpStatus: 500,
        upstreamRequestId: requestId,
        msg: 'provider failed; its request id, for its support',
      }),
      expect.objectContaining({ level: 40, provider: 'generic', httpStatus: 503, upstreamRequestId: requestId }),
    ]);
  });

  it('a success, its CONFLICT, and an IDEMPOTENCY_KEY_REUSED each leave one event, newest first', async () => {
    const key = uniqueName('k');
    const input = { name: uniqueName('aud'), providers: ['hoop', 'generic'], idempotencyKey: key };
    const first = await h.gql(CREATE_SA, { input }, { ...WRITER, 'x-request-id': 'req-audit-1' });
    expect(first.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    await h.gql(CREATE_SA, { input }, WRITER);
    await h.gql(CREATE_SA, { input: { ...input, displayName: 'other' } }, WRITER);
    const events = await eventsOf(key);
    expect(events.map((e: any) => e.status)).toEqual(['IDEMPOTENCY_KEY_REUSED', 'CONFLICT', 'SUCCEEDED']);
    const created = events[2];
    expect(created).toMatchObject({ requestId: 'req-audit-1', clientId: 'writer', operation: 'CREATE_SERVICE_ACCOUNT' });
    const ids = Object.fromEntries(first.body.data.createServiceAccount.results.map((r: any) => [r.provider.id, r.account.id]));
    expect(created.targets).toEqual([
      { providerId: 'hoop', result: 'CREATED', id: ids.hoop, code: null },
      { providerId: 'generic', result: 'CREATED', id: ids.generic, code: null },
    ]);
    // The CONFLICT created nothing: it shows what the key's record holds, as REPLAYED, so counting CREATED counts accounts.
    expect(events[1].targets).toEqual([
      { providerId: 'hoop', result: 'REPLAYED', id: ids.hoop, code: null },
      { providerId: 'generic', result: 'REPLAYED', id: ids.generic, code: null },
    ]);
  });

  it('a PARTIAL with a failed target, then its retry: the success REPLAYED, the failure created', async () => {
    const key = uniqueName('k');
    const input = { name: uniqueName('part'), providers: ['hoop', 'versori'], idempotencyKey: key };
    h.sandboxes.versori.inject({ response: { status: 503, body: { code: 'unavailable', message: 'down' } } });
    expect((await h.gql(CREATE_SA, { input }, WRITER)).body.data.createServiceAccount.status).toBe('PARTIAL');
    expect((await h.gql(CREATE_SA, { input }, WRITER)).body.data.createServiceAccount.status).toBe('SUCCEEDED');
    const [retry, partial] = await eventsOf(key);
    expect(partial.status).toBe('PARTIAL');
    expect(partial.targets).toEqual([
      expect.objectContaining({ providerId: 'hoop', result: 'CREATED' }),
      { providerId: 'versori', result: 'FAILED', id: null, code: 'UNAVAILABLE' },
    ]);
    expect(retry.status).toBe('SUCCEEDED');
    expect(retry.targets.map((t: any) => t.result)).toEqual(['REPLAYED', 'CREATED']);
  });

  it('filters by client, operation, provider, status and time', async () => {
    const since = new Date().toISOString();
    await h.gql(CREATE_USER, { input: { email: `${uniqueName('f')}@example.com`, providers: ['unleash'] } }, OTHER);
    await h.gql(CREATE_SA, { input: { name: uniqueName('f'), providers: ['generic'] } }, WRITER);
    const byClient = await audit({ filter: { clientId: 'other', since } });
    expect(byClient.edges.map((e: any) => e.node.operation)).toEqual(['CREATE_USER']);
    const byOp = await audit({ filter: { operation: 'CREATE_USER', since } });
    expect(byOp.edges.every((e: any) => e.node.clientId === 'other')).toBe(true);
    const byProvider = await audit({ filter: { providerId: 'generic', since } });
    expect(byProvider.edges.map((e: any) => e.node.clientId)).toEqual(['writer']);
    expect((await audit({ filter: { status: 'CONFLICT', since } })).edges).toEqual([]);
    expect((await audit({ filter: { until: since } })).edges.every((e: any) => e.node.at <= since)).toBe(true);
  });

  it('pages across several pages without skipping or repeating an event', async () => {
    const since = new Date().toISOString();
    for (let i = 0; i < 7; i++) await h.gql(CREATE_SA, { input: { name: uniqueName('pg'), providers: ['generic'] } }, OTHER);
    const all = (await audit({ filter: { clientId: 'other', since } })).edges.map((e: any) => e.node.requestId);
    expect(all).toHaveLength(7);
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await audit({ first: 3, after, filter: { clientId: 'other', since } });
      seen.push(...res.edges.map((e: any) => e.node.requestId));
      if (!res.pageInfo.hasNextPage) break;
      after = res.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
  });

  it('a client without identity:audit gets FORBIDDEN; a bad cursor is BAD_USER_INPUT', async () => {
    const res = await h.gql(AUDIT, { first: 5 }, WRITER);
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const bad = await h.gql(AUDIT, { first: 5, after: 'nope' }, AUDITOR);
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    // An empty range is a mistake to point out, not a page with nothing in it.
    const inverted = await h.gql(AUDIT, { first: 5, filter: { since: '2026-12-07T12:00:00Z', until: '2026-12-07T11:00:00Z' } }, AUDITOR);
    expect(inverted.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.until' });
    const instant = await h.gql(AUDIT, { first: 5, filter: { since: '2026-12-07T12:00:00Z', until: '2026-12-07T12:00:00Z' } }, AUDITOR);
    expect(instant.body.errors).toBeUndefined();
  });

  it('no secret in the stream, and every stream key has a TTL', async () => {
    const password = `pw-${uniqueName('s')}`;
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('s')}@example.com`, hoop: { password } } }, WRITER);
    const secrets = res.body.data.createUser.results.flatMap((r: any) => (r.credentials ?? []).map((c: any) => c.secret));
    const sa = await h.gql(CREATE_SA, { input: { name: uniqueName('s') } }, WRITER);
    secrets.push(...sa.body.data.createServiceAccount.results.flatMap((r: any) => (r.credentials ?? []).map((c: any) => c.secret)));
    expect(secrets.length).toBeGreaterThan(1);
    const streams = await redis.keys(`${h.keyPrefix}audit:*`);
    expect(streams.length).toBeGreaterThan(0);
    for (const key of streams) {
      expect(await redis.pttl(key)).toBeGreaterThan(0);
      const text = JSON.stringify(await redis.xrange(key, '-', '+'));
      for (const s of [password, 'writer-key', 'auditor-key', ...secrets, ...Object.values(h.sandboxes.tokens)]) expect(text).not.toContain(s);
    }
    // Each event is also logged once, at info, with no secret either.
    const logged = h
      .logs()
      .split('\n')
      .filter((l) => l.includes('"audit"'));
    expect(logged.length).toBeGreaterThan(0);
    for (const s of [password, ...secrets]) expect(h.logs()).not.toContain(s);
  });
});

describe('audit retention trims old events', () => {
  const event = (i: number): AuditEvent => ({
    at: new Date().toISOString(),
    requestId: `r${i}`,
    clientId: 'c',
    operation: 'createServiceAccount',
    idempotencyKey: `k${i}`,
    status: 'SUCCEEDED',
    targets: [],
  });
  const stores: Array<[string, () => IdempotencyStore]> = [
    ['memory', () => new MemoryIdempotencyStore({ ttlSeconds: 60, leaseSeconds: 5, maxRecords: 100, audit: { retentionSeconds: 1, maxEvents: 1000 } })],
    [
      'redis',
      () =>
        new RedisIdempotencyStore({
          ttlSeconds: 60,
          leaseSeconds: 5,
          url: process.env.REDIS_URL!,
          keyPrefix: `idgw-audit-${uniqueName('r')}:`,
          commandTimeoutMs: 1000,
          audit: { retentionSeconds: 1, maxEvents: 1000 },
        }),
    ],
  ];
  it.each(stores)('%s: events older than the retention are gone after the next append', async (_name, make) => {
    const store = make();
    try {
      for (let i = 0; i < 5; i++) await store.appendAudit(event(i));
      expect((await store.auditEvents({ first: 100, filter: {} })).events).toHaveLength(5);
      await new Promise((r) => setTimeout(r, 1200));
      await store.appendAudit(event(99));
      const left = await store.auditEvents({ first: 100, filter: {} });
      expect(left.events.map((e) => e.requestId)).toEqual(['r99']);
    } finally {
      await store.close();
    }
  });

  it("redis: a refused attempt's event whose append failed (Redis away) is appended once Redis is back", async () => {
    const redis = new RedisProcess(await freePort());
    await redis.start();
    const store = new RedisIdempotencyStore({
      ttlSeconds: 60,
      leaseSeconds: 5,
      url: redis.url,
      keyPrefix: `idgw-audit-${uniqueName('away')}:`,
      commandTimeoutMs: 300,
      audit: { retentionSeconds: 600, maxEvents: 1000 },
    });
    try {
      await store.ping();
      await redis.stop();
      await expect(store.appendAudit(event(7))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      await redis.start();
      // Tried again after 0.2, 1, 3 … s: the first try after the reconnection lands it, once.
      let found: string[] = [];
      for (let i = 0; i < 100 && found.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        found = await store.auditEvents({ first: 10, filter: {} }).then(
          (p) => p.events.map((e) => e.requestId),
          () => [],
        );
      }
      expect(found).toEqual(['r7']);
    } finally {
      await store.close();
      await redis.stop();
    }
  });

  it('memory: at most maxEvents are kept', async () => {
    const store = new MemoryIdempotencyStore({ ttlSeconds: 60, leaseSeconds: 5, maxRecords: 100, audit: { retentionSeconds: 3600, maxEvents: 100 } });
    for (let i = 0; i < 250; i++) await store.appendAudit(event(i));
    const page = await store.auditEvents({ first: 100, filter: {} });
    expect(page.events).toHaveLength(100);
    expect(page.events[0].requestId).toBe('r249');
    expect(page.hasNextPage).toBe(false);
    await store.close();
  });
});
