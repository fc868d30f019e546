import fc from 'fast-check';
import { CREATE_SA } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

/** Codes a refused create may carry: each a typed, documented refusal (docs/errors.md). */
const TYPED = new Set(['BAD_USER_INPUT', 'BAD_REQUEST', 'GRAPHQL_VALIDATION_FAILED']);

describe('bad input of every kind: a stable code and no upstream call', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sandboxes.reset());
  const upstreamCalls = () => h.sandboxes.count();

  async function raw(body: string, contentType = 'application/json', method = 'POST') {
    const res = await fetch(h.url + (method === 'GET' ? `?query=${encodeURIComponent(body)}` : ''), {
      method,
      headers: method === 'GET' ? { 'apollo-require-preflight': 'true' } : { 'content-type': contentType },
      body: method === 'GET' ? undefined : body,
    });
    const text = await res.text();
    return { status: res.status, code: JSON.parse(text).errors?.[0]?.extensions?.code as string, text };
  }

  it.each([
    ['malformed JSON', () => raw('{"query": "mutation {', 'application/json'), 400, 'BAD_REQUEST'],
    ['a wrong content type', () => raw(JSON.stringify({ query: '{ viewer { id } }' }), 'application/xml'), 400, 'BAD_REQUEST'],
    ['GET for a mutation', () => raw(`mutation { createServiceAccount(input: {name: "${uniqueName('get')}"}) { status } }`, '', 'GET'), 405, 'BAD_REQUEST'],
    [
      'an unknown input field',
      () => raw(JSON.stringify({ query: CREATE_SA, variables: { input: { name: 'ok-name', isAdmin: true } } })),
      400,
      'BAD_USER_INPUT',
    ],
    ['a wrong type', () => raw(JSON.stringify({ query: CREATE_SA, variables: { input: { name: 42, unleash: { rootRole: 'one' } } } })), 400, 'BAD_USER_INPUT'],
  ])('%s', async (_what, send, status, code) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.code).toBe(code);
    expect(upstreamCalls()).toBe(0);
  });

  it.each([
    ['a null byte', { displayName: 'CI\u0000bot' }, 'displayName'],
    ['a control character', { description: 'bell\u0007' }, 'description'],
    ['a Cyrillic look-alike in the slug', { name: 'dеploy-bot' }, 'name'],
    ['an overlong string', { displayName: 'x'.repeat(5000) }, 'displayName'],
  ])('%s is BAD_USER_INPUT naming the field', async (_what, patch, field) => {
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('bad'), providers: ['hoop'], ...patch } });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(upstreamCalls()).toBe(0);
  });

  it('property: any input is either a typed error with no upstream call, or requests every provider accepts', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.constantFrom('', ' ', 'a\u0000b', 'dеploy', 'x'.repeat(300), 'ok', 'Readers', '\u202eexe'),
    );
    const slug = fc.stringMatching(/^[a-z][a-z0-9._-]{0,20}$/);
    const input = fc.record(
      {
        name: fc.oneof(slug, text),
        displayName: fc.option(text, { nil: undefined }),
        description: fc.option(text, { nil: undefined }),
        status: fc.constantFrom('ACTIVE', 'INACTIVE'),
        providers: fc.option(fc.subarray(['hoop', 'unleash', 'versori', 'generic', 'ghost', 'hoop']), { nil: undefined }),
        hoop: fc.option(fc.record({ subject: fc.option(text, { nil: undefined }), groups: fc.option(fc.array(text, { maxLength: 4 }), { nil: undefined }) }), {
          nil: undefined,
        }),
        unleash: fc.option(
          fc.record({
            username: fc.option(fc.oneof(slug, text), { nil: undefined }),
            rootRole: fc.option(fc.integer({ min: -2, max: 3 }), { nil: undefined }),
          }),
          { nil: undefined },
        ),
        versori: fc.option(fc.record({ roles: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }) }), { nil: undefined }),
        generic: fc.option(fc.record({ permissions: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }) }), { nil: undefined }),
      },
      { requiredKeys: ['name', 'status'] },
    );
    // rootRole stops at 3: a higher id names a custom role that exists on some servers and not on others (the
    // sandbox has none), so its 400 is about data, as an unknown Versori organisation's 404 is; organisationId is not generated for that reason.
    let run = 0;
    await fc.assert(
      fc.asyncProperty(input, async (generated) => {
        h.sandboxes.reset();
        // A fresh suffix keeps runs from colliding on natural keys; the generated part still reaches every rule.
        const name = /^[a-z]/.test(generated.name) && generated.name.length <= 40 ? `${generated.name}-${(run++).toString(36)}` : generated.name;
        const res = await h.gql(CREATE_SA, { input: { ...generated, name } });
        const payload = res.body.data?.createServiceAccount;
        if (!payload) {
          expect(TYPED.has(res.body.errors?.[0]?.extensions?.code)).toBe(true);
          expect(upstreamCalls()).toBe(0);
          return;
        }
        for (const r of payload.results) {
          // A 4xx from a strict sandbox means the gateway sent a request the provider's contract refuses.
          if (r.__typename === 'ProviderFailure') {
            expect({ provider: r.provider.id, code: r.code, message: r.message }).toEqual({
              provider: r.provider.id,
              code: expect.stringMatching(/^(UNSUPPORTED|CONFLICT)$/),
              message: r.message,
            });
          }
        }
      }),
      { numRuns: 200, interruptAfterTimeLimit: 20_000 },
    );
  }, 40_000);
});
