import { join } from 'node:path';
import { type ConfigError } from '../../src/config/config.error';
import { loadConfigFile } from '../../src/config/config.loader';

const FILE = join(__dirname, '..', '..', 'examples', 'config', 'gateway.yaml');
const ENV = { HOOP_TOKEN: 'h', UNLEASH_ADMIN_TOKEN: 'u', VERSORI_JWT: 'v', PARTNER_API_TOKEN: 'p', IDEMPOTENCY_HMAC_KEY: 'example-hmac-key-0123456789' };

describe('examples/config/gateway.yaml', () => {
  it('is valid for the real config loader, with each token taken from its environment variable', () => {
    const cfg = loadConfigFile(FILE, ENV);
    expect(cfg.providers.map((p) => [p.id, p.kind, p.baseUrl])).toEqual([
      ['hoop', 'hoop', 'https://use.hoop.dev/api'],
      ['unleash', 'unleash', 'https://unleash.example.com'],
      ['versori', 'versori', 'https://platform.versori.com/api/organisations/v1'],
      ['partner-api', 'generic', 'https://partner-api.example.com'],
    ]);
    expect(cfg.providerTokens).toEqual({ hoop: 'h', unleash: 'u', versori: 'v', 'partner-api': 'p' });
    expect(cfg.server.cors.origins).toEqual(['https://admin.example.com']);
    expect(cfg.clients?.map((c) => c.id)).toEqual(['admin-frontend', 'provisioning-job']);
    // The production checklist's "every client with a policy".
    expect(cfg.clients?.map((c) => c.policy?.providers)).toEqual([
      ['hoop', 'unleash', 'versori', 'partner-api'],
      ['hoop', 'unleash'],
    ]);
  });

  it('names every missing token variable when the environment lacks them', () => {
    let problems: string[] = [];
    try {
      loadConfigFile(FILE, { IDEMPOTENCY_HMAC_KEY: ENV.IDEMPOTENCY_HMAC_KEY });
    } catch (err) {
      problems = (err as ConfigError).problems.map((p) => p.message);
    }
    expect(problems).toEqual(['HOOP_TOKEN', 'UNLEASH_ADMIN_TOKEN', 'VERSORI_JWT', 'PARTNER_API_TOKEN'].map((n) => `environment variable ${n} is not set`));
  });
});
