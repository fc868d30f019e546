import { ensureFreshDist } from './dist.build';

/** dist/ that matches src/, for the unit tests that spawn `node dist/main.js`; no Redis. */
export default function globalSetup(): void {
  ensureFreshDist();
}
