import { describeRedisError, OUTAGE_REMINDER_MS, RedisOutageLog, stallBounds } from '../../src/idempotency/redis.client';

/** The outage log lines: one per change of state, one reminder per interval while down, no credentials. */
function harness() {
  let now = 1_000_000;
  const lines: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  const log = new RedisOutageLog(
    () => ({ warn: ((fields: Record<string, unknown>, msg: string) => void lines.push({ fields, msg })) as never }),
    OUTAGE_REMINDER_MS,
    () => now,
  );
  return { log, lines, advance: (ms: number) => (now += ms) };
}

describe('RedisOutageLog', () => {
  it('logs a loss once, one reminder per interval however many errors and retries come, and the recovery once', () => {
    const { log, lines, advance } = harness();
    log.recovered('127.0.0.1:6379'); // the first connection: nothing to say
    log.noteError('127.0.0.1:6379', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }));
    log.lost('127.0.0.1:6379');
    for (let i = 0; i < 29; i++) {
      advance(1000);
      log.noteError('127.0.0.1:6379', new Error('connect ECONNREFUSED 127.0.0.1:6379'));
      log.lost('127.0.0.1:6379');
    }
    expect(lines.map((l) => l.msg)).toEqual([expect.stringMatching(/^Redis connection lost/)]);
    expect(lines[0].fields).toEqual({ redis: '127.0.0.1:6379', reason: 'connect ECONNREFUSED 127.0.0.1:6379' });

    advance(1000); // 30 s down
    log.lost('127.0.0.1:6379');
    log.lost('127.0.0.1:6379');
    expect(lines).toHaveLength(2);
    expect(lines[1].msg).toMatch(/^Redis still unavailable/);
    expect(lines[1].fields).toMatchObject({ redis: '127.0.0.1:6379', downMs: 30_000 });

    advance(5000);
    log.recovered('127.0.0.1:6379');
    log.recovered('127.0.0.1:6379');
    expect(lines).toHaveLength(3);
    expect(lines[2].msg).toMatch(/^Redis connection back/);
    expect(lines[2].fields).toEqual({ redis: '127.0.0.1:6379', downMs: 35_000 });

    // A new outage is a new line at once.
    log.lost('127.0.0.1:6379', new Error('no reply from Redis for 1500 ms with commands waiting: connection dropped, reconnecting'));
    expect(lines).toHaveLength(4);
    expect(lines[3].fields.reason).toMatch(/^no reply from Redis/);
  });

  it('a Redis never reached since start is "unreachable", and its first connection says so, not "lost" and "back"', () => {
    const { log, lines, advance } = harness();
    log.lost('127.0.0.1:1', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    advance(2000);
    log.recovered('127.0.0.1:1');
    log.lost('127.0.0.1:1', new Error('read ECONNRESET'));
    expect(lines.map((l) => l.msg.split(':')[0])).toEqual(['Redis unreachable', 'Redis connected', 'Redis connection lost']);
    expect(lines[1].fields).toEqual({ redis: '127.0.0.1:1', downMs: 2000 });
  });

  it('a Cluster node that leaves the topology while down ends its outage with one line, and is never reminded of again', () => {
    const { log, lines, advance } = harness();
    log.recovered('node 10.0.0.1:6379');
    log.lost('node 10.0.0.1:6379', new Error('connect ECONNREFUSED'));
    advance(4000);
    log.departed('node 10.0.0.1:6379');
    advance(60_000);
    log.lost('node 10.0.0.2:6379', new Error('x'));
    log.departed('node 10.0.0.3:6379'); // never down: nothing to say
    expect(lines.map((l) => [l.fields.redis, l.msg.split(':')[0]])).toEqual([
      ['node 10.0.0.1:6379', 'Redis connection lost'],
      ['node 10.0.0.1:6379', 'Redis node left the cluster'],
      ['node 10.0.0.2:6379', 'Redis unreachable'],
    ]);
    expect(lines[1].fields).toEqual({ redis: 'node 10.0.0.1:6379', downMs: 4000 });
  });

  it('keeps scopes apart (a Cluster node and the cluster)', () => {
    const { log, lines } = harness();
    log.recovered('node 10.0.0.1:6379');
    log.recovered('cluster');
    log.lost('node 10.0.0.1:6379', new Error('no reply'));
    log.lost('cluster');
    log.lost('node 10.0.0.1:6379');
    log.recovered('cluster');
    expect(lines.map((l) => [l.fields.redis, l.msg.split(':')[0]])).toEqual([
      ['node 10.0.0.1:6379', 'Redis connection lost'],
      ['cluster', 'Redis connection lost'],
      ['cluster', 'Redis connection back'],
    ]);
    expect(lines[1].fields.reason).toBe('connection closed');
  });
});

describe('describeRedisError', () => {
  it('never carries the user info of a URL', () => {
    const text = describeRedisError(new Error('cannot reach redis://app:s3cret@10.0.0.1:6379/0 nor rediss://:pw2@h:1'));
    expect(text).toBe('cannot reach redis://10.0.0.1:6379/0 nor rediss://h:1');
    expect(text).not.toMatch(/s3cret|pw2/);
  });

  it('uses the code when there is no message (an AggregateError of a dual-stack connect), and caps the length', () => {
    expect(describeRedisError(Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(describeRedisError(new Error('x'.repeat(500)))).toHaveLength(200);
    expect(describeRedisError('plain')).toBe('plain');
  });
});

describe('stallBounds', () => {
  it('three command timeouts, at least 1 s; checked every half command timeout, between 50 and 250 ms', () => {
    expect(stallBounds(500)).toEqual({ stallMs: 1500, checkMs: 250 });
    expect(stallBounds(300)).toEqual({ stallMs: 1000, checkMs: 150 });
    expect(stallBounds(50)).toEqual({ stallMs: 1000, checkMs: 50 });
    expect(stallBounds(5000)).toEqual({ stallMs: 15000, checkMs: 250 });
  });
});
