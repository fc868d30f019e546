import { startCluster, type Cluster } from '../helpers/cluster.harness';
import { raceBehaviour } from '../shared/race.behaviour';

describe('many clients racing over three gateway processes sharing one Redis', () => {
  let c: Cluster;
  beforeAll(async () => {
    // A generous command timeout: this file checks correctness under races, not how fast a dead Redis is noticed.
    // The shutdown grace must then cover recording an outcome too (9 200 + 3 × 2 000 + 500 ms).
    c = await startCluster(3, (cfg) => {
      cfg.redis.commandTimeoutMs = 2000;
      cfg.server = { ...cfg.server, shutdownGraceMs: 20_000 };
    });
  }, 90_000);
  afterAll(() => c?.close());
  beforeEach(() => c.sandboxes.reset());

  raceBehaviour(() => c);
});
