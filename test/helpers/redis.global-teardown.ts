/** Stops the private redis-server the global setup started, if it started one. */
export default async function globalTeardown(): Promise<void> {
  const pid = Number(process.env.IDGW_TEST_REDIS_PID);
  if (pid) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
