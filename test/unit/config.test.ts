import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config.error';
import { loadConfigFile, resolveConfig } from '../../src/config/config.loader';
import { parse as parseYaml } from 'yaml';
import { spawnGateway } from '../helpers/process.harness';

const provider = { id: 'hoop-prod', kind: 'hoop', baseUrl: 'https://use.hoop.dev/api', tokenEnv: 'HOOP_TOKEN' };

function problems(raw: unknown, env: Record<string, string> = { HOOP_TOKEN: 't' }): string[] {
  try {
    resolveConfig(raw, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('fills defaults and freezes the result', () => {
    const cfg = resolveConfig({ providers: [provider] }, { HOOP_TOKEN: 't' });
    expect(cfg.server).toMatchObject({ port: 4000, host: '127.0.0.1', maxBodyBytes: 1048576 });
    expect(cfg.idempotency).toEqual({ ttlSeconds: 86400, leaseSeconds: 30, memoryMaxRecords: 100000 });
    expect(cfg.providers[0].timeoutMs).toBe(5000);
    expect(cfg.providerTokens).toEqual({ 'hoop-prod': 't' });
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.providers[0])).toBe(true);
  });

  it.each([
    ['http://admin:hunter2PASS@127.0.0.1:8080/base', 'must not hold a user or password'],
    ['https://api.example.com/base?api_key=QSECRET', 'must not have a query or fragment'],
    ['https://api.example.com/base#v1', 'must not have a query or fragment'],
  ])('a baseUrl whose parts would never be sent (%s) is refused, without echoing them', (baseUrl, message) => {
    const found = problems({ providers: [{ ...provider, baseUrl }] });
    expect(found).toEqual([expect.stringMatching(new RegExp(`^providers\\.0\\.baseUrl: ${message}`))]);
    expect(found.join('\n')).not.toMatch(/hunter2PASS|QSECRET/);
  });

  it.each(['abc', '', '0x50', '70000'])('PORT=%p is refused naming the variable', (port) => {
    expect(problems({ providers: [provider] }, { HOOP_TOKEN: 't', PORT: port })).toEqual([
      expect.stringMatching(
        new RegExp(
          `^server\\.port: .* \\(from PORT=${JSON.stringify(port).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: a port number, 1–65535, or 0 for any free port\\)$`,
        ),
      ),
    ]);
  });

  it('a REDIS_URL or REDIS_CLUSTER_NODES that is no Redis URL: one problem per value, naming the variable, never echoing it', () => {
    const env = { HOOP_TOKEN: 't', IDEMPOTENCY_HMAC_KEY: 'k'.repeat(32) };
    expect(problems({ providers: [provider] }, { ...env, REDIS_URL: 'notaurl' })).toEqual([
      'redis.url: must be a redis://[user:password@]host:port URL (rediss:// for TLS) (from REDIS_URL)',
    ]);
    expect(problems({ providers: [provider] }, { ...env, REDIS_CLUSTER_NODES: 'foo,redis://a:1,bar' })).toEqual([
      'redis.cluster.nodes.0: must be a redis://[user:password@]host:port URL (rediss:// for TLS) (from REDIS_CLUSTER_NODES)',
      'redis.cluster.nodes.2: must be a redis://[user:password@]host:port URL (rediss:// for TLS) (from REDIS_CLUSTER_NODES)',
    ]);
  });

  it('a Redis URL whose path or db parameter is no database number is refused (ioredis would quietly use database 0); a Cluster node may name only 0', () => {
    const env = { HOOP_TOKEN: 't', IDEMPOTENCY_HMAC_KEY: 'k'.repeat(32) };
    const pathProblem = 'redis.url: the path after host:port must be a database number (redis://host:port/2) or nothing (from REDIS_URL)';
    for (const url of ['redis://r:6379/abc', 'redis://r:6379/1/2', 'redis://r:6379/-1', 'redis://r:6379/?db=two', 'redis://r:6379/0x1']) {
      expect(problems({ providers: [provider] }, { ...env, REDIS_URL: url })).toEqual([pathProblem]);
    }
    for (const url of ['redis://r:6379', 'redis://r:6379/', 'redis://r:6379/3', 'redis://r:6379?db=3', 'rediss://u:p@r:6379/15']) {
      expect(resolveConfig({ providers: [provider] }, { ...env, REDIS_URL: url }).redis?.url).toBe(url);
    }
    expect(problems({ providers: [provider] }, { ...env, REDIS_CLUSTER_NODES: 'redis://a:1/0,redis://b:1/2' })).toEqual([
      'redis.cluster.nodes.1: a Redis Cluster has only database 0: leave the path out (from REDIS_CLUSTER_NODES)',
    ]);
    // The path wins over a db parameter, as ioredis reads them.
    expect(problems({ providers: [provider] }, { ...env, REDIS_CLUSTER_NODES: 'redis://a:1/3?db=0' })).toEqual([
      'redis.cluster.nodes.0: a Redis Cluster has only database 0: leave the path out (from REDIS_CLUSTER_NODES)',
    ]);
    expect(problems({ providers: [provider] }, { ...env, REDIS_CLUSTER_NODES: 'redis://a:1/0?db=3' })).toEqual([]);
  });

  it("CORS_ORIGINS (comma-separated) replaces the file's origins; a bad one is refused naming the variable", () => {
    const file = { server: { cors: { origins: ['https://file.example.com'] } }, providers: [provider] };
    const cfg = resolveConfig(file, { HOOP_TOKEN: 't', CORS_ORIGINS: 'http://127.0.0.1:8080, https://app.example.com' });
    expect(cfg.server.cors.origins).toEqual(['http://127.0.0.1:8080', 'https://app.example.com']);
    expect(resolveConfig(file, { HOOP_TOKEN: 't', CORS_ORIGINS: '' }).server.cors.origins).toEqual([]);
    expect(problems(file, { HOOP_TOKEN: 't', CORS_ORIGINS: 'http://ok.example.com,*' })).toEqual([
      expect.stringMatching(/^server\.cors\.origins\.1: must be an exact origin .* \(from CORS_ORIGINS\)$/),
    ]);
  });

  it('REDIS_KEY_PREFIX replaces the key prefix of a configured Redis (and configures none by itself); a bad one names the variable', () => {
    const env = { HOOP_TOKEN: 't', IDEMPOTENCY_HMAC_KEY: 'k'.repeat(32) };
    expect(resolveConfig({ providers: [provider] }, { ...env, REDIS_URL: 'redis://r:6379', REDIS_KEY_PREFIX: 'dev-1:' }).redis?.keyPrefix).toBe('dev-1:');
    expect(
      resolveConfig({ redis: { url: 'redis://r:6379', keyPrefix: 'file:' }, providers: [provider] }, { ...env, REDIS_KEY_PREFIX: 'env:' }).redis?.keyPrefix,
    ).toBe('env:');
    expect(resolveConfig({ providers: [provider] }, { ...env, REDIS_KEY_PREFIX: 'dev-1:' }).redis).toBeUndefined();
    expect(problems({ providers: [provider] }, { ...env, REDIS_URL: 'redis://r:6379', REDIS_KEY_PREFIX: '' })).toEqual([
      expect.stringMatching(/^redis\.keyPrefix: .* \(from REDIS_KEY_PREFIX\)$/),
    ]);
  });

  it('PORT and REDIS_URL override the file', () => {
    const cfg = resolveConfig({ providers: [provider] }, { HOOP_TOKEN: 't', PORT: '5055', REDIS_URL: 'redis://r:6379', IDEMPOTENCY_HMAC_KEY: 'k'.repeat(32) });
    expect(cfg.server.port).toBe(5055);
    expect(cfg.redis?.url).toBe('redis://r:6379');
  });

  it('lists every problem at once, each with its path', () => {
    const found = problems({
      server: { port: 'x', host: '0.0.0.0' },
      idempotency: { leaseSeconds: 2 },
      providers: [
        provider,
        { ...provider, kind: 'nope' },
        { id: 'hoop-prod', kind: 'unleash', baseUrl: 'ftp://x', tokenEnv: 'lower', defaults: { rootRole: 'Owner' } },
      ],
      extra: true,
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^server\.port: /),
        expect.stringMatching(/^providers\.1\.kind: /),
        expect.stringMatching(/^providers\.2\.baseUrl: /),
        expect.stringMatching(/^providers\.2\.tokenEnv: /),
        expect.stringMatching(/^providers\.2\.defaults\.rootRole: /),
        expect.stringMatching(/^: Unrecognized key.*extra/),
      ]),
    );
  });

  it('a token pasted where the name of its variable goes is refused without being named back', () => {
    const found = problems({ providers: [{ ...provider, tokenEnv: 'hpat_SUPERSECRETTOKEN123' }] }, {});
    expect(found).toEqual(['providers.0.tokenEnv: must be the NAME of an environment variable holding the token']);
    expect(found.join('\n')).not.toContain('SUPERSECRET');
  });

  it('secrets missing from the environment are listed with the problems of the file itself, in the same run', () => {
    const found = problems({ server: { maxBodyBytes: 10 }, redis: { url: 'redis://r:6379' }, providers: [provider] }, {});
    expect(found).toEqual([
      expect.stringMatching(/^server\.maxBodyBytes: /),
      'providers.0.tokenEnv: environment variable HOOP_TOKEN is not set',
      expect.stringMatching(/^redis: IDEMPOTENCY_HMAC_KEY/),
    ]);
  });

  it('a `jwt` section needs exactly one key source, an issuer and an audience, and refuses none/HMAC algorithms', () => {
    const jwt = { jwksUrl: 'https://idp/jwks.json', issuer: 'https://idp', audience: 'identity-gateway' };
    expect(problems({ jwt, providers: [provider] })).toEqual([]);
    expect(problems({ jwt: { issuer: 'i', audience: 'a' }, providers: [provider] })).toEqual(['jwt: set exactly one of jwksUrl and publicKey']);
    expect(problems({ jwt: { ...jwt, algorithms: ['HS256'] }, providers: [provider] })).toEqual([
      expect.stringMatching(/^jwt\.algorithms\.0: must be one of .*no "none", no HMAC/),
    ]);
    expect(problems({ jwt: { ...jwt, algorithms: ['none'] }, providers: [provider] })).toEqual([expect.stringMatching(/^jwt\.algorithms\.0: /)]);
    expect(problems({ jwt: { jwksUrl: 'https://idp/jwks.json' }, providers: [provider] })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^jwt\.issuer: /), expect.stringMatching(/^jwt\.audience: /)]),
    );
    // With no cooldown every made-up kid would be one fetch from the identity provider.
    expect(problems({ jwt: { ...jwt, jwksCooldownSeconds: 0 }, providers: [provider] })).toEqual([expect.stringMatching(/^jwt\.jwksCooldownSeconds: /)]);
  });

  it('with `jwt` and no `clients` the gateway may listen off loopback; with neither it may not', () => {
    const jwt = { jwksUrl: 'https://idp/jwks.json', issuer: 'https://idp', audience: 'identity-gateway' };
    expect(problems({ server: { host: '0.0.0.0' }, jwt, providers: [provider] })).toEqual([]);
    expect(problems({ server: { host: '0.0.0.0' }, providers: [provider] })).toEqual([expect.stringMatching(/^server\.host: without `clients` or `jwt`/)]);
    const anonymous = { id: 'anonymous', keySha256: 'a'.repeat(64), scopes: ['identity:read'] };
    expect(problems({ clients: [anonymous], providers: [provider] })).toEqual(['clients.0.id: is reserved for unauthenticated callers']);
  });

  it('a client policy naming an unknown provider id or a field no kind declares is refused', () => {
    const client = { id: 'c', keySha256: 'a'.repeat(64), scopes: ['identity:write'] };
    expect(
      problems({ clients: [{ ...client, policy: { providers: ['nope'], allow: { 'unleash.rootRole': [3], 'hoop.admin': ['x'] } } }], providers: [provider] }),
    ).toEqual([
      'clients.0.policy.providers.0: unknown provider id "nope"',
      expect.stringMatching(/^clients\.0\.policy\.allow\.hoop\.admin: not a privilege field; one of: .*unleash\.rootRole/),
    ]);
    expect(problems({ clients: [{ ...client, scopes: ['identity:audit'] }], providers: [provider] })).toEqual([]);
  });

  it("a policy value the field cannot take is refused at start (it would match nothing and refuse that client's every create)", () => {
    const client = { id: 'c', keySha256: 'a'.repeat(64), scopes: ['identity:write'] };
    const allow = (values: unknown[]) => problems({ clients: [{ ...client, policy: { allow: { 'unleash.rootRole': values } } }], providers: [provider] });
    expect(allow(['viewer', 'Viewer', 'God', 3, '4', 0])).toEqual([
      'clients.0.policy.allow.unleash.rootRole.0: "viewer" is not a value of unleash.rootRole: a role id, or one of Admin, Editor, Viewer',
      'clients.0.policy.allow.unleash.rootRole.2: "God" is not a value of unleash.rootRole: a role id, or one of Admin, Editor, Viewer',
      'clients.0.policy.allow.unleash.rootRole.5: 0 is not a value of unleash.rootRole: a role id, or one of Admin, Editor, Viewer',
    ]);
    // Free-form names (Versori roles, hoop groups) take any value.
    expect(problems({ clients: [{ ...client, policy: { allow: { 'versori.roles': ['viewer', 'Anything'] } } }], providers: [provider] })).toEqual([]);
  });

  it('refuses a lease that does not exceed a provider deadline plus retries', () => {
    const found = problems({ idempotency: { leaseSeconds: 5 }, providers: [{ ...provider, timeoutMs: 5000 }] });
    expect(found).toEqual([expect.stringMatching(/^idempotency\.leaseSeconds: must exceed provider "hoop-prod" deadline plus retries/)]);
  });

  it('with Redis the lease must also cover the round trips before the call: 9 200 ms + 3 × 500 ms + 500 ms of slack', () => {
    const env = { HOOP_TOKEN: 't', IDEMPOTENCY_HMAC_KEY: 'k'.repeat(32) };
    const withRedis = (leaseSeconds: number) =>
      problems({ redis: { url: 'redis://r:6379' }, idempotency: { leaseSeconds }, providers: [{ ...provider, timeoutMs: 5000 }] }, env);
    expect(withRedis(11)).toEqual([
      'idempotency.leaseSeconds: must exceed provider "hoop-prod" deadline plus retries (9200 ms), the Redis round trips before the call (3 × 500 ms) and 500 ms of slack: more than 11200 ms, or a live request could lose its lease to a retry',
    ]);
    expect(withRedis(12)).toEqual([]);
  });

  it('refuses duplicate provider ids, a missing token variable, Redis without an HMAC key, and no auth off loopback', () => {
    expect(problems({ providers: [provider, provider] })).toEqual([expect.stringMatching(/duplicate provider id/)]);
    expect(problems({ providers: [provider] }, {})).toEqual(['providers.0.tokenEnv: environment variable HOOP_TOKEN is not set']);
    expect(problems({ redis: { url: 'redis://x' }, providers: [provider] })).toEqual([expect.stringMatching(/^redis: IDEMPOTENCY_HMAC_KEY/)]);
    expect(problems({ server: { host: '0.0.0.0' }, providers: [provider] })).toEqual([expect.stringMatching(/^server\.host: without `clients` or `jwt`/)]);
    const anonymous = { id: 'anonymous', keySha256: 'a'.repeat(64), scopes: ['identity:read'] };
    expect(problems({ clients: [anonymous], providers: [provider] })).toEqual(['clients.0.id: is reserved for unauthenticated callers']);
  });

  it('a jwt.jwksUrl with a user or password is refused: the URL is logged when the key set is unreachable', () => {
    const found = problems({ jwt: { jwksUrl: 'https://svc:Hunter2Pass@idp.example/jwks', issuer: 'i', audience: 'a' }, providers: [provider] });
    expect(found).toEqual([expect.stringMatching(/^jwt\.jwksUrl: must not hold a user or password/)]);
    expect(found.join('\n')).not.toContain('Hunter2Pass');
  });

  it('a jwt.publicKey is read at start: one Node cannot read, or one none of the algorithms can verify with, is a config problem', () => {
    const spki = (type: 'rsa' | 'ec' | 'ed25519', options: object = {}): string =>
      (generateKeyPairSync as (t: string, o: object) => { publicKey: KeyObject })(type, { modulusLength: 2048, ...options }).publicKey.export({
        type: 'spki',
        format: 'pem',
      }) as string;
    const jwt = { issuer: 'https://idp', audience: 'identity-gateway' };
    const rsa = spki('rsa');
    expect(problems({ jwt: { ...jwt, publicKey: rsa }, providers: [provider] })).toEqual([]);
    expect(problems({ jwt: { ...jwt, publicKey: rsa, algorithms: ['RS256', 'ES256'] }, providers: [provider] })).toEqual([]);
    expect(problems({ jwt: { ...jwt, publicKey: '-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----\n' }, providers: [provider] })).toEqual([
      expect.stringMatching(/^jwt\.publicKey: is not a public key Node can read/),
    ]);
    expect(problems({ jwt: { ...jwt, publicKey: rsa, algorithms: ['ES256'] }, providers: [provider] })).toEqual([
      'jwt.algorithms: none of them can verify with publicKey (key type rsa: RS256, RS384, RS512, PS256, PS384, PS512)',
    ]);
    expect(problems({ jwt: { ...jwt, publicKey: spki('ec', { namedCurve: 'P-384' }), algorithms: ['ES256'] }, providers: [provider] })).toEqual([
      'jwt.algorithms: none of them can verify with publicKey (key type ec: ES384)',
    ]);
    expect(problems({ jwt: { ...jwt, publicKey: spki('ed25519'), algorithms: ['EdDSA'] }, providers: [provider] })).toEqual([]);
    // jose refuses RSA keys under 2048 bits for every token.
    expect(problems({ jwt: { ...jwt, publicKey: spki('rsa', { modulusLength: 1024 }) }, providers: [provider] })).toEqual([
      'jwt.publicKey: is a 1024-bit RSA key: RSA keys of at least 2048 bits are accepted',
    ]);
    // Node would derive the public key from a private one pasted beside it: refused, and not quoted.
    const pair = generateKeyPairSync('ed25519');
    const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const both = `${pair.publicKey.export({ type: 'spki', format: 'pem' }) as string}${privatePem}`;
    const refused = problems({ jwt: { ...jwt, publicKey: both }, providers: [provider] });
    expect(refused).toEqual([expect.stringMatching(/^jwt\.publicKey: is not a public key Node can read/)]);
    expect(refused.join('\n')).not.toContain(privatePem.split('\n')[1]);
  });

  it('only a loopback address as written counts as loopback for running without authentication', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '::ffff:127.0.0.1']) {
      expect({ host, problems: problems({ server: { host }, providers: [provider] }) }).toEqual({ host, problems: [] });
    }
    // A name that starts like a loopback address resolves wherever its owner says.
    // A bracketed address is a URL's or a Host header's spelling, not one to listen on.
    for (const host of ['127.attacker.example', '127.0.0.1.nip.io', '0.0.0.0', '::', '10.0.0.1', '127.0.0.256', '[::1]', '127.0.0.08']) {
      expect({ host, problems: problems({ server: { host }, providers: [provider] }) }).toEqual({
        host,
        problems: [expect.stringMatching(/^server\.host: without `clients` or `jwt`/)],
      });
    }
  });

  it('an invalid file stops the process with exit code 2 and every problem on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idgw-cfg-'));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, 'server:\n  port: -1\nproviders:\n  - id: Bad Id\n    kind: hoop\n    baseUrl: nope\n    tokenEnv: HOOP_TOKEN\n');
    const gw = spawnGateway({ GATEWAY_CONFIG: file, HOOP_TOKEN: 'secret-token-value' });
    expect(await gw.exited).toBe(2);
    expect(gw.output()).toContain('server.port');
    expect(gw.output()).toContain('providers.0.id');
    expect(gw.output()).toContain('providers.0.baseUrl');
    expect(gw.output()).not.toContain('secret-token-value');
  });

  it('a YAML syntax error or missing file is exit code 2 too', async () => {
    const gw = spawnGateway({ GATEWAY_CONFIG: '/nonexistent/gateway.yaml' });
    expect(await gw.exited).toBe(2);
    expect(gw.output()).toContain('cannot read /nonexistent/gateway.yaml');
  });

  it('a YAML syntax error says where, without quoting the line (it may hold a password written inline)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idgw-cfg-'));
    // The yaml parser's own report of a warning (process.emitWarning, with the offending line) must not happen.
    const emitWarning = jest.spyOn(process, 'emitWarning');
    for (const [name, text] of [
      ['missing-comma.yaml', "redis: { url: 'redis://:hunter2secretpw@127.0.0.1:6379' keyPrefix: x }\n"],
      ['duplicate-key.yaml', 'redis:\n  url: redis://:hunter2secretpw@127.0.0.1:6379\n  url: redis://:hunter2secretpw@127.0.0.1:6380\n'],
      // A warning, not an error, for the parser (the value would be read as plain text): refused all the same.
      ['unknown-tag.yaml', 'redis: { url: !secret redis://:hunter2secretpw@127.0.0.1:6379 }\n'],
      ['alias.yaml', 'redis: { url: *hunter2secretpw }\n'],
    ]) {
      const file = join(dir, name);
      writeFileSync(file, text);
      let message = '';
      try {
        loadConfigFile(file, {});
      } catch (err) {
        message = (err as ConfigError).problems.map((p) => p.message).join('\n');
      }
      expect(message).toMatch(new RegExp(`^cannot read ${file}: \\S`));
      expect(message).not.toContain('hunter2');
    }
    expect(emitWarning).not.toHaveBeenCalled();
    emitWarning.mockRestore();
  });

  it("the README's complete example and the docker-compose configuration are valid", () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const yaml = /<!-- config-example[^>]*-->[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)![1];
    const env = { HOOP_TOKEN: 'a', UNLEASH_ADMIN_TOKEN: 'b', VERSORI_JWT: 'c', BILLING_TOKEN: 'd', IDEMPOTENCY_HMAC_KEY: 'k'.repeat(32) };
    const cfg = resolveConfig(parseYaml(yaml), env);
    expect(cfg.providers.map((p) => p.kind)).toEqual(['hoop', 'unleash', 'versori', 'generic']);
    expect(cfg.clients?.[0].id).toBe('web-frontend');
    const docker = loadConfigFile(join(__dirname, '..', '..', 'config', 'docker.gateway.yaml'), {
      SANDBOX_HOOP_TOKEN: 'a',
      SANDBOX_UNLEASH_TOKEN: 'b',
      SANDBOX_VERSORI_TOKEN: 'c',
      SANDBOX_GENERIC_TOKEN: 'd',
      IDEMPOTENCY_HMAC_KEY: 'dev-only-hmac-key-change-me',
    });
    expect(docker.server.host).toBe('0.0.0.0');
    // The image sets NODE_ENV=production; its development stack keeps the playground on for the tour.
    const dockerInImage = loadConfigFile(join(__dirname, '..', '..', 'config', 'docker.gateway.yaml'), {
      NODE_ENV: 'production',
      SANDBOX_HOOP_TOKEN: 'a',
      SANDBOX_UNLEASH_TOKEN: 'b',
      SANDBOX_VERSORI_TOKEN: 'c',
      SANDBOX_GENERIC_TOKEN: 'd',
      IDEMPOTENCY_HMAC_KEY: 'dev-only-hmac-key-change-me',
    });
    expect(dockerInImage.server).toMatchObject({ introspection: true, playground: true });
  });

  it('introspection defaults to on, and to off under NODE_ENV=production (as Apollo Server); the file decides when it says', () => {
    const raw = () => ({ providers: [{ id: 'g', kind: 'generic', baseUrl: 'http://127.0.0.1:9', tokenEnv: 'G_TOKEN' }] });
    expect(resolveConfig(raw(), { G_TOKEN: 't' }).server.introspection).toBe(true);
    expect(resolveConfig(raw(), { G_TOKEN: 't', NODE_ENV: 'development' }).server.introspection).toBe(true);
    expect(resolveConfig(raw(), { G_TOKEN: 't', NODE_ENV: 'production' }).server.introspection).toBe(false);
    expect(resolveConfig({ ...raw(), server: { introspection: true } }, { G_TOKEN: 't', NODE_ENV: 'production' }).server.introspection).toBe(true);
    expect(resolveConfig({ ...raw(), server: { introspection: false } }, { G_TOKEN: 't' }).server.introspection).toBe(false);
  });
});
