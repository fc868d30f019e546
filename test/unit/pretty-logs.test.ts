import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { wantsPrettyLogs } from '../../src/observability/pino.logger';

const ROOT = join(__dirname, '..', '..');

function logOnce(env: Record<string, string>): string {
  const script = `require('./src/observability/pino.logger').createLogger().info({ req: { headers: { authorization: 'Bearer s3cret-key' } }, password: 'hunter2' }, 'hello people');`;
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return run.stdout + run.stderr;
}

describe('logs for people and for machines', () => {
  it('LOG_FORMAT wins; otherwise a terminal gets pretty lines and a pipe JSON', () => {
    expect(wantsPrettyLogs({ LOG_FORMAT: 'pretty' }, false)).toBe(true);
    expect(wantsPrettyLogs({ LOG_FORMAT: 'json' }, true)).toBe(false);
    expect(wantsPrettyLogs({}, true)).toBe(true);
    expect(wantsPrettyLogs({}, false)).toBe(false);
  });

  it('LOG_FORMAT=pretty prints readable lines, still redacted', () => {
    const out = logOnce({ LOG_FORMAT: 'pretty' });
    expect(out).toMatch(/INFO.*hello people/);
    expect(() => JSON.parse(out.split('\n')[0])).toThrow();
    expect(out).toContain('[redacted]');
    expect(out).not.toContain('s3cret-key');
    expect(out).not.toContain('hunter2');
  });

  it('piped without LOG_FORMAT, each line is JSON', () => {
    const out = logOnce({ LOG_FORMAT: '' });
    const line = JSON.parse(out.trim().split('\n')[0]);
    expect(line).toMatchObject({ msg: 'hello people', service: 'identity-gateway', password: '[redacted]' });
  });
});
