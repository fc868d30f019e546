import { ensureFreshDist } from './dist.build';
import redisSetup from './redis.global-setup';

/** A real Redis for the suite, and a dist/ that matches src/ for the tests that spawn `node dist/main.js`. */
export default async function globalSetup(): Promise<void> {
  ensureFreshDist();
  await redisSetup();
}
