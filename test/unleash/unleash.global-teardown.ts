import { psql } from './unleash.global-setup';

/** Stops the server and drops its database. */
export default async function globalTeardown(): Promise<void> {
  const pid = Number(process.env.UNLEASH_TEST_PID);
  if (pid) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    for (let i = 0; i < 40; i++) {
      try {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 250));
      } catch {
        break;
      }
    }
  }
  if (process.env.UNLEASH_TEST_DB) psql(`DROP DATABASE IF EXISTS ${process.env.UNLEASH_TEST_DB} WITH (FORCE)`);
}
