/**
 * `npm run sandbox`: the four simulated providers, standalone, for other tools.
 * Ports come from SANDBOX_{HOOP,UNLEASH,VERSORI,GENERIC}_PORT (default: free
 * ports), tokens from SANDBOX_*_TOKEN (default: random, printed once here),
 * the address from SANDBOX_HOST (default 127.0.0.1; 0.0.0.0 in a container).
 */
import { SANDBOX_TOKEN_ENV, startSandboxes } from './sandbox.set';

async function main(): Promise<void> {
  const port = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  const set = await startSandboxes({
    host: process.env.SANDBOX_HOST,
    ports: {
      hoop: port('SANDBOX_HOOP_PORT'),
      unleash: port('SANDBOX_UNLEASH_PORT'),
      versori: port('SANDBOX_VERSORI_PORT'),
      generic: port('SANDBOX_GENERIC_PORT'),
    },
    unleash: { edition: process.env.SANDBOX_UNLEASH_EDITION === 'oss' ? 'oss' : 'enterprise' },
    tokens: Object.fromEntries(Object.values(SANDBOX_TOKEN_ENV).map((e) => [e, process.env[e]])),
  });
  // The calls log and the fault endpoint, as `npm start` prints them for the README's tour.
  const summary = set.all().map((s) => {
    const origin = new URL(s.baseUrl).origin;
    return { kind: s.kind, baseUrl: s.baseUrl, calls: `${origin}/__sandbox/calls`, faults: `${origin}/__sandbox/faults` };
  });
  process.stdout.write(`${JSON.stringify({ sandboxes: summary, tokens: set.tokens }, null, 2)}\n`);
  const stop = () => void set.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`sandbox failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
