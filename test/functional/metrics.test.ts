import { byProvider, CREATE_SA } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';
import { scrape, sample } from '../helpers/metrics.scrape';
import { freePort } from '../helpers/redis.global-setup';

describe('/metrics (Prometheus text format)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ redis: true });
  });
  afterAll(() => h.close());

  it('counts requests, upstream calls, conflicts and breaker state after a create, a conflict and a failing provider', async () => {
    const name = uniqueName('m');
    const input = { name, providers: ['hoop', 'versori'], idempotencyKey: `${name}-key` };
    expect((await h.gql(CREATE_SA, { input })).body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect((await h.gql(CREATE_SA, { input })).body.errors[0].extensions.code).toBe('CONFLICT');
    h.sandboxes.hoop.inject({ response: { status: 503, body: { message: 'down' } } });
    expect((await h.gql(CREATE_SA, { input: { name: uniqueName('m'), providers: ['hoop', 'versori'] } })).body.data.createServiceAccount.status).toBe(
      'PARTIAL',
    );
    // A provider that never answers: no status to count.
    h.sandboxes.versori.inject({ reset: true });
    expect((await h.gql(CREATE_SA, { input: { name: uniqueName('m'), providers: ['versori'] } })).body.data.createServiceAccount.status).toBe('FAILED');
    await h.gql('{ providers { id } }');
    await h.gql('{ __schema { queryType { name } } }');

    const m = await scrape(h.url);
    expect(m.status).toBe(200);
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = m.samples;
    const create = { operation: 'createServiceAccount', type: 'mutation' };
    expect(sample(s, 'idgw_graphql_requests_total', { ...create, outcome: 'ok' })).toBe(3);
    expect(sample(s, 'idgw_graphql_requests_total', { ...create, outcome: 'CONFLICT' })).toBe(1);
    expect(sample(s, 'idgw_graphql_requests_total', { operation: 'providers', type: 'query', outcome: 'ok' })).toBe(1);
    expect(sample(s, 'idgw_graphql_requests_total', { operation: '__schema', type: 'query', outcome: 'ok' })).toBe(1);
    expect(sample(s, 'idgw_graphql_request_duration_seconds_count', { ...create, outcome: 'ok' })).toBe(3);
    expect(sample(s, 'idgw_graphql_request_duration_seconds_bucket', { ...create, outcome: 'ok', le: '+Inf' })).toBe(3);
    // Labelled by outcome and by the HTTP status the provider answered with (`none`: no answer).
    expect(sample(s, 'idgw_upstream_requests_total', { provider: 'hoop', outcome: 'created', status: '201' })).toBe(1);
    expect(sample(s, 'idgw_upstream_requests_total', { provider: 'hoop', outcome: 'UNAVAILABLE', status: '503' })).toBe(1);
    expect(sample(s, 'idgw_upstream_requests_total', { provider: 'versori', outcome: 'created', status: '201' })).toBe(2);
    expect(sample(s, 'idgw_upstream_requests_total', { provider: 'versori', outcome: 'UNAVAILABLE', status: 'none' })).toBe(1);
    expect(sample(s, 'idgw_upstream_request_duration_seconds_count', { provider: 'versori', outcome: 'created', status: '201' })).toBe(2);
    expect(sample(s, 'idgw_idempotency_events_total', { event: 'conflict' })).toBe(1);
    expect(sample(s, 'idgw_breaker_state', { provider: 'hoop', state: 'CLOSED' })).toBe(1);
    expect(sample(s, 'idgw_breaker_state', { provider: 'hoop', state: 'OPEN' })).toBe(0);
    expect(sample(s, 'idgw_breaker_short_circuits_total', { provider: 'hoop' })).toBe(0);
    // Default process metrics, on this gateway's own registry.
    expect(sample(s, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(s, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    // No secret ever appears.
    for (const t of Object.values(h.sandboxes.tokens)) expect(m.text).not.toContain(t);
  });

  it('an in-progress answer, a replay and a reused key are counted', async () => {
    const name = uniqueName('ip');
    const key = `${name}-key`;
    h.sandboxes.versori.inject({ delayMs: 600 });
    const slow = h.gql(CREATE_SA, { input: { name, providers: ['versori', 'hoop'], idempotencyKey: key } });
    while (h.sandboxes.versori.arrived === 0) await new Promise((r) => setTimeout(r, 10));
    expect((await h.gql(CREATE_SA, { input: { name, providers: ['versori', 'hoop'], idempotencyKey: key } })).body.errors[0].extensions.inProgress).toBe(true);
    await slow;
    expect((await h.gql(CREATE_SA, { input: { name: `${name}-x`, providers: ['versori', 'hoop'], idempotencyKey: key } })).body.errors[0].extensions.code).toBe(
      'IDEMPOTENCY_KEY_REUSED',
    );

    const retryName = uniqueName('rp');
    const retryKey = `${retryName}-key`;
    h.sandboxes.hoop.inject({ response: { status: 503, body: {} } });
    expect(
      (await h.gql(CREATE_SA, { input: { name: retryName, providers: ['versori', 'hoop'], idempotencyKey: retryKey } })).body.data.createServiceAccount.status,
    ).toBe('PARTIAL');
    const retried = await h.gql(CREATE_SA, { input: { name: retryName, providers: ['versori', 'hoop'], idempotencyKey: retryKey } });
    expect(byProvider(retried.body.data.createServiceAccount.results).versori.replayed).toBe(true);

    const s = (await scrape(h.url)).samples;
    expect(sample(s, 'idgw_idempotency_events_total', { event: 'in_progress' })).toBe(1);
    expect(sample(s, 'idgw_idempotency_events_total', { event: 'reused' })).toBe(1);
    expect(sample(s, 'idgw_idempotency_events_total', { event: 'replay' })).toBe(1);
  });

  it('an upstream status outside the common set is counted by its class: a provider cannot grow the label set', async () => {
    h.sandboxes.hoop.inject({ response: { status: 418, body: { message: 'teapot' } }, times: 2 });
    for (let i = 0; i < 2; i++) await h.gql(CREATE_SA, { input: { name: uniqueName('tp'), providers: ['hoop'] } });
    const s = (await scrape(h.url)).samples;
    expect(sample(s, 'idgw_upstream_requests_total', { provider: 'hoop', outcome: 'BAD_REQUEST', status: '4xx' })).toBe(2);
    expect(s.filter((x) => x.name === 'idgw_upstream_requests_total' && x.labels.status === '418')).toEqual([]);
  });

  it('store failures are counted, and each gateway in a process reports only its own requests', async () => {
    const down = await startHarness({ redis: true, redisUrl: `redis://127.0.0.1:${await freePort()}` });
    try {
      expect((await down.gql(CREATE_SA, { input: { name: uniqueName('sd') } })).status).toBe(503);
      const s = (await scrape(down.url)).samples;
      expect(sample(s, 'idgw_store_errors_total')).toBe(1);
      expect(sample(s, 'idgw_graphql_requests_total', { operation: 'createServiceAccount', type: 'mutation', outcome: 'SERVICE_UNAVAILABLE' })).toBe(1);
      expect(sample(s, 'idgw_graphql_requests_total', { operation: 'createServiceAccount', type: 'mutation', outcome: 'ok' })).toBeUndefined();
      expect(sample((await scrape(h.url)).samples, 'idgw_store_errors_total')).toBe(0);
    } finally {
      await down.close();
    }
  });
});
