import { request } from 'node:http';
import { CREATE_SA, CREATE_USER } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';
import { fingerprint } from '../../src/identity/input.fingerprint';

/** A POST with raw header lines, as fetch cannot send one header twice. */
function postWithHeaders(url: string, body: unknown, headers: Record<string, string | string[]>): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('input hygiene: unsafe text refused, identifiers normalised, keys compared as HTTP does', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sandboxes.reset());
  const noUpstreamCall = () => {
    for (const s of h.sandboxes.all()) expect(s.count()).toBe(0);
  };

  it.each([
    ['right-to-left override', 'admin\u202egnp.exe'],
    ['zero-width only', '\u200b\u200b'],
    ['white space only', '   \t '],
    ['C1 next line', 'a\u0085b'],
    ['C1 CSI', 'a\u009bb'],
    ['line separator', 'a\u2028b'],
    ['lone surrogate', 'a\ud800b'],
    ['left-to-right isolate', 'a\u2066b'],
    ['Hangul filler only', '\u3164\u3164'],
    ['braille blank only', '\u2800'],
    ['variation selector only', '\ufe0f'],
    ['a lone combining mark', '\u0301'],
    ['tag characters', 'ok\u{e0041}\u{e0042}'],
  ])('displayName with %s is BAD_USER_INPUT', async (_label, displayName) => {
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('hy'), displayName } });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'displayName' });
    noUpstreamCall();
  });

  it.each([
    ['description', { description: 'ok\u202e' }],
    ['hoop.subject', { hoop: { subject: '\u00a0\u200b' } }],
    ['hoop.groups[0]', { hoop: { groups: ['a\u0000'] } }],
  ])('%s is checked the same way', async (field, patch) => {
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('hy'), ...patch } });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    noUpstreamCall();
  });

  it.each([
    ['a zero-width space', 'root\u200b-admin'],
    ['a soft hyphen', 'root-admin\u00ad'],
    ['a word joiner', 'root-admin\u2060'],
    ['a variation selector', 'root-admin\ufe0f'],
  ])('hoop.subject (an identity and its natural key) with %s inside is BAD_USER_INPUT: it would read as another account', async (_label, subject) => {
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('hy'), providers: ['hoop'], hoop: { subject } } });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'hoop.subject' });
    expect(res.body.errors[0].message).toMatch(/must not contain invisible characters/);
    noUpstreamCall();
  });

  it('createUser name with a bidi override, and the e-mail .a..b.@example.com, are refused', async () => {
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('u')}@example.com`, name: 'Eve\u202e' } });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const dots = await h.gql(CREATE_USER, { input: { email: '.a..b.@example.com' } });
    expect(dots.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    noUpstreamCall();
  });

  it('hoop.subject café in NFC, in NFD and with spaces names one account; in upper case, another (subjects are case-sensitive)', async () => {
    const base = uniqueName('cafe');
    const variants = [`${base}-caf\u00e9`, `${base}-cafe\u0301`, `  ${base}-caf\u00e9 `, `${base}-CAF\u00c9`];
    const answers = [];
    for (const subject of variants) {
      const res = await h.gql(CREATE_SA, { input: { name: uniqueName('sa'), providers: ['hoop'], hoop: { subject } } });
      answers.push(res.body.data.createServiceAccount.results[0]);
    }
    expect(answers.map((a) => a.__typename)).toEqual(['ServiceAccountCreated', 'ProviderFailure', 'ProviderFailure', 'ServiceAccountCreated']);
    expect(answers[0].account.name).toBe(`${base}-caf\u00e9`);
    expect(answers.slice(1, 3).map((a) => a.code)).toEqual(['CONFLICT', 'CONFLICT']);
    expect(answers[3].account.name).toBe(`${base}-CAF\u00c9`);
    expect(h.sandboxes.hoop.count()).toBe(2);
    expect(h.sandboxes.hoop.received().map((r) => (r.body as { subject: string }).subject)).toEqual([`${base}-caf\u00e9`, `${base}-CAF\u00c9`]);
  });

  it('the same key in the body and in the header, one with a trailing space, is the same key', async () => {
    const key = uniqueName('key');
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('k'), providers: ['hoop'], idempotencyKey: `${key} ` } }, { 'idempotency-key': key });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.createServiceAccount.idempotencyKey).toBe(key);
  });

  it('two Idempotency-Key headers are refused, not merged into "a, b"', async () => {
    const res = await postWithHeaders(
      h.url,
      { query: CREATE_SA, variables: { input: { name: uniqueName('k2'), providers: ['hoop'] } } },
      { 'idempotency-key': ['a', 'b'] },
    );
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'Idempotency-Key' });
    expect(res.body.errors[0].message).toMatch(/sent once/);
    noUpstreamCall();
  });

  it('a derived key cannot be computed or pre-claimed by another caller', async () => {
    const victim = { name: uniqueName('victim'), providers: ['hoop'] };
    // What a derived key used to be: the plain SHA-256 of the canonical input, computable by anyone.
    const guessable = `derived:${fingerprint({ operation: 'createServiceAccount', spec: { name: victim.name, status: 'ACTIVE' }, providers: ['hoop'] }, 'unknown-to-attacker')}`;
    for (const attempt of [{ idempotencyKey: guessable }, { idempotencyKey: 'derived:anything' }]) {
      const res = await h.gql(CREATE_SA, { input: { name: uniqueName('attacker'), providers: ['hoop'], ...attempt } });
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    }
    const header = await h.gql(CREATE_SA, { input: { name: uniqueName('attacker'), providers: ['hoop'] } }, { 'idempotency-key': guessable });
    expect(header.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'Idempotency-Key' });
    noUpstreamCall();
    const res = await h.gql(CREATE_SA, { input: victim });
    expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(res.body.data.createServiceAccount.idempotencyKey).toMatch(/^derived:[0-9a-f]{64}$/);
    expect(res.body.data.createServiceAccount.idempotencyKey).not.toBe(guessable);
  });

  it('an unknown provider id is named, the configured ones are not', async () => {
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('p'), providers: ['hoop', 'ghost'] } });
    expect(res.body.errors[0].message).toContain('ghost');
    for (const id of ['versori', 'unleash', 'generic']) expect(res.body.errors[0].message).not.toContain(id);
  });
});
