import { startCluster, type Cluster } from '../helpers/cluster.harness';
import { raceBehaviour } from '../shared/race.behaviour';

describe('many clients racing over three gateway processes sharing one Redis', () => {
  let c: Cluster;
  beforeAll(async () => {
    // A generous command timeout: this file checks correctness under races, not how fast a dead Redis is noticed.
    c = await startCluster(3, (cfg) => (cfg.redis.commandTimeoutMs = 2000));
  }, 90_000);
  afterAll(() => c?.close());
  beforeEach(() => c.sandboxes.reset());

  raceBehaviour(() => c);
});
