import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config.error';
import { resolveConfig } from '../../src/config/config.loader';
import { LOG_LEVELS, logSettingsFromEnv } from '../../src/config/log.settings';
import { createLogger, wantsPrettyLogs } from '../../src/observability/pino.logger';
import { spawnGateway } from '../helpers/process.harness';

const provider = { id: 'hoop-prod', kind: 'hoop', baseUrl: 'https://use.hoop.dev/api', tokenEnv: 'HOOP_TOKEN' };

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

const resolve = (raw: unknown, env: Record<string, string>) => problems(() => resolveConfig(raw, env));

function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'idgw-start-')), 'gateway.yaml');
  writeFileSync(file, yaml);
  return file;
}

describe('two API-key clients with the same key', () => {
  const key = (n: string) => n.repeat(64);
  const client = (id: string, keySha256: string, scopes = ['identity:read']) => ({ id, keySha256, scopes });

  it('are refused, naming both client ids and not the hash (the first would win every request for that key)', () => {
    const found = resolve(
      {
        clients: [client('admin', key('a'), ['identity:read', 'identity:write']), client('reader', key('b')), client('reports', key('a'))],
        providers: [provider],
      },
      { HOOP_TOKEN: 't' },
    );
    expect(found).toEqual(['clients.2.keySha256: client "reports" has the same API key as client "admin"']);
    expect(found.join('\n')).not.toContain(key('a'));
  });

  it('distinct keys are fine, and a duplicate id is still reported as one', () => {
    expect(resolve({ clients: [client('a', key('a')), client('b', key('b'))], providers: [provider] }, { HOOP_TOKEN: 't' })).toEqual([]);
    expect(resolve({ clients: [client('a', key('a')), client('a', key('b'))], providers: [provider] }, { HOOP_TOKEN: 't' })).toEqual([
      'clients.1.id: duplicate client id "a"',
    ]);
  });
});

describe('a provider token from the environment must fit an HTTP header as is', () => {
  const SECRET = 'tok3n-s3cret-value';

  it.each([
    ['a trailing newline (a mounted secret file)', `${SECRET}\n`],
    ['a trailing CRLF', `${SECRET}\r\n`],
    ['a leading space', ` ${SECRET}`],
    ['a trailing tab', `${SECRET}\t`],
    ['a control character inside', `${SECRET.slice(0, 4)}\u0000${SECRET.slice(4)}`],
    ['DEL inside', `${SECRET.slice(0, 4)}\u007f${SECRET.slice(4)}`],
  ])('%s is refused, naming the variable and never the value', (_what, token) => {
    const found = resolve({ providers: [provider] }, { HOOP_TOKEN: token });
    expect(found).toEqual([
      'providers.0.tokenEnv: environment variable HOOP_TOKEN must not contain whitespace at either end or control characters (a trailing newline from a secret file?)',
    ]);
    expect(found.join('\n')).not.toContain(SECRET.slice(0, 6));
  });

  it('a character no header can carry (above U+00FF) is refused too', () => {
    expect(resolve({ providers: [provider] }, { HOOP_TOKEN: 'tok€n' })).toEqual([
      'providers.0.tokenEnv: environment variable HOOP_TOKEN must contain only characters an HTTP header can carry (none above U+00FF)',
    ]);
  });

  it('every offending provider is listed; inner spaces and Latin-1 are legal header bytes and pass', () => {
    const second = { ...provider, id: 'unleash', kind: 'unleash', tokenEnv: 'UNLEASH_TOKEN', defaults: { rootRole: 3 } };
    expect(resolve({ providers: [provider, second] }, { HOOP_TOKEN: 'a\n', UNLEASH_TOKEN: 'b ' })).toEqual([
      expect.stringMatching(/^providers\.0\.tokenEnv: environment variable HOOP_TOKEN must not contain/),
      expect.stringMatching(/^providers\.1\.tokenEnv: environment variable UNLEASH_TOKEN must not contain/),
    ]);
    const cfg = resolveConfig({ providers: [provider, second] }, { HOOP_TOKEN: 'user:pass word', UNLEASH_TOKEN: 'clé' });
    expect(cfg.providerTokens).toEqual({ 'hoop-prod': 'user:pass word', unleash: 'clé' });
  });

  it('IDEMPOTENCY_HMAC_KEY is not sent anywhere, so it is taken as it is', () => {
    const cfg = resolveConfig({ redis: { url: 'redis://r:6379' }, providers: [provider] }, { HOOP_TOKEN: 't', IDEMPOTENCY_HMAC_KEY: `${'k'.repeat(32)}\n` });
    expect(cfg.idempotencyHmacKey).toBe(`${'k'.repeat(32)}\n`);
  });

  it('the process exits with code 2 naming the variable, not its value', async () => {
    const file = configFile('providers:\n  - id: generic\n    kind: generic\n    baseUrl: http://127.0.0.1:9\n    tokenEnv: SANDBOX_GENERIC_TOKEN\n');
    const gw = spawnGateway({ GATEWAY_CONFIG: file, SANDBOX_GENERIC_TOKEN: `${SECRET}\n` });
    expect(await gw.exited).toBe(2);
    expect(gw.output()).toContain('providers.0.tokenEnv: environment variable SANDBOX_GENERIC_TOKEN must not contain whitespace at either end');
    expect(gw.output()).not.toContain(SECRET);
  });
});

describe('LOG_LEVEL and LOG_FORMAT are configuration', () => {
  it("accept pino's levels and json|pretty; empty means unset", () => {
    for (const level of LOG_LEVELS) expect(logSettingsFromEnv({ LOG_LEVEL: level })).toEqual({ level, format: undefined });
    expect(logSettingsFromEnv({})).toEqual({ level: 'info', format: undefined });
    expect(logSettingsFromEnv({ LOG_LEVEL: '', LOG_FORMAT: '' })).toEqual({ level: 'info', format: undefined });
    expect(logSettingsFromEnv({ LOG_FORMAT: 'pretty' }).format).toBe('pretty');
  });

  it('refuse anything else with the usual ConfigError, both at once', () => {
    expect(problems(() => logSettingsFromEnv({ LOG_LEVEL: 'verbose', LOG_FORMAT: 'xml' }))).toEqual([
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
      'LOG_FORMAT: must be one of json, pretty',
    ]);
    expect(problems(() => logSettingsFromEnv({ LOG_LEVEL: 'INFO' }))).toEqual([expect.stringMatching(/^LOG_LEVEL: /)]);
    expect(problems(() => wantsPrettyLogs({ LOG_FORMAT: 'xml' }, true))).toEqual(['LOG_FORMAT: must be one of json, pretty']);
  });

  it('createLogger throws that ConfigError instead of pino\'s "default level:verbose must be included in custom levels"', () => {
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'verbose';
    try {
      expect(() => createLogger()).toThrow(ConfigError);
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
  });

  it("are listed with the file's own problems", () => {
    expect(resolve({ server: { port: -1 }, providers: [provider] }, { HOOP_TOKEN: 't', LOG_FORMAT: 'xml' })).toEqual([
      expect.stringMatching(/^server\.port: /),
      'LOG_FORMAT: must be one of json, pretty',
    ]);
    expect(resolve({ providers: [provider] }, { LOG_LEVEL: 'verbose' })).toEqual([
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
      'providers.0.tokenEnv: environment variable HOOP_TOKEN is not set',
    ]);
  });

  it('LOG_LEVEL=verbose exits with code 2 and the usual message, nothing else printed', async () => {
    const gw = spawnGateway({ GATEWAY_CONFIG: '', LOG_LEVEL: 'verbose' });
    expect(await gw.exited).toBe(2);
    expect(gw.output()).toBe('invalid configuration:\n  - LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent\n');
  });

  it('the embedded default lists a bad LOG_FORMAT with every other problem, and warns of no HMAC key it will not use', async () => {
    const gw = spawnGateway({ GATEWAY_CONFIG: '', LOG_FORMAT: 'xml', PORT: 'abc', REDIS_URL: 'notaurl', IDEMPOTENCY_HMAC_KEY: '' });
    expect(await gw.exited).toBe(2);
    expect(gw.output()).toBe(
      [
        'invalid configuration:',
        '  - server.port: Invalid input: expected number, received string (from PORT="abc": a port number, 1–65535, or 0 for any free port)',
        '  - redis.url: must be a redis://[user:password@]host:port URL (rediss:// for TLS) (from REDIS_URL)',
        '  - LOG_FORMAT: must be one of json, pretty',
        '',
      ].join('\n'),
    );
  });

  it('LOG_FORMAT=xml with a config file exits with code 2, listed with the file problems', async () => {
    const file = configFile('server:\n  port: -1\nproviders:\n  - id: hoop\n    kind: hoop\n    baseUrl: https://use.hoop.dev/api\n    tokenEnv: HOOP_TOKEN\n');
    const gw = spawnGateway({ GATEWAY_CONFIG: file, HOOP_TOKEN: 'secret-token-value', LOG_FORMAT: 'xml' });
    expect(await gw.exited).toBe(2);
    expect(gw.output()).toContain('server.port');
    expect(gw.output()).toContain('LOG_FORMAT: must be one of json, pretty');
    expect(gw.output()).not.toContain('secret-token-value');
  });
});
