import { ConfigError } from '../../src/config/config.error';
import { resolveConfig } from '../../src/config/config.loader';

const provider = { id: 'api', kind: 'generic', baseUrl: 'https://api.example.com', tokenEnv: 'API_TOKEN', defaults: { permissions: ['org:read'] } };

describe('provider breaker settings', () => {
  it('every provider kind gets a breaker with the documented defaults', () => {
    const cfg = resolveConfig(
      { providers: [provider, { id: 'h', kind: 'hoop', baseUrl: 'https://h.example.com/api', tokenEnv: 'API_TOKEN' }] },
      { API_TOKEN: 't' },
    );
    for (const p of cfg.providers) {
      expect(p.breaker).toEqual({ enabled: true, failureThreshold: 5, errorThresholdPercentage: 50, rollingWindowMs: 10000, resetTimeoutMs: 30000 });
    }
  });

  it('partial settings keep the other defaults; wrong ones are refused with their path', () => {
    const cfg = resolveConfig({ providers: [{ ...provider, breaker: { resetTimeoutMs: 2000 } }] }, { API_TOKEN: 't' });
    expect(cfg.providers[0].breaker).toMatchObject({ resetTimeoutMs: 2000, failureThreshold: 5 });
    let problems: string[] = [];
    try {
      resolveConfig(
        { providers: [{ ...provider, breaker: { failureThreshold: 0, errorThresholdPercentage: 150, resetTimeoutMs: 'soon', halfOpenCalls: 3 } }] },
        { API_TOKEN: 't' },
      );
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems.map((p) => `${p.path}: ${p.message}`);
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^providers\.0\.breaker\.failureThreshold: /),
        expect.stringMatching(/^providers\.0\.breaker\.errorThresholdPercentage: /),
        expect.stringMatching(/^providers\.0\.breaker\.resetTimeoutMs: /),
        expect.stringMatching(/^providers\.0\.breaker: .*halfOpenCalls/),
      ]),
    );
  });
});
