import { GenericSandbox } from './generic.sandbox';
import { HoopSandbox } from './hoop.sandbox';
import { secretToken } from './sandbox.http';
import { UnleashSandbox, type UnleashSandboxOptions } from './unleash.sandbox';
import { VersoriSandbox } from './versori.sandbox';

export interface SandboxSet {
  readonly hoop: HoopSandbox;
  readonly unleash: UnleashSandbox;
  readonly versori: VersoriSandbox;
  readonly generic: GenericSandbox;
  /** Tokens each sandbox accepts, by the environment variable name the embedded config uses. */
  readonly tokens: Readonly<Record<string, string>>;
  all(): Array<HoopSandbox | UnleashSandbox | VersoriSandbox | GenericSandbox>;
  /** Requests all four have received (since the last reset). */
  count(): number;
  reset(data?: boolean): void;
  stop(): Promise<void>;
}

export const SANDBOX_TOKEN_ENV = {
  hoop: 'SANDBOX_HOOP_TOKEN',
  unleash: 'SANDBOX_UNLEASH_TOKEN',
  versori: 'SANDBOX_VERSORI_TOKEN',
  generic: 'SANDBOX_GENERIC_TOKEN',
} as const;

/** Starts the four simulated providers on free (or given) loopback ports, each with a fresh random token. */
export async function startSandboxes(
  options: {
    ports?: Partial<Record<keyof typeof SANDBOX_TOKEN_ENV, number>>;
    host?: string;
    unleash?: Partial<UnleashSandboxOptions>;
    tokens?: Partial<Record<string, string>>;
  } = {},
): Promise<SandboxSet> {
  const tokens: Record<string, string> = {};
  for (const env of Object.values(SANDBOX_TOKEN_ENV)) tokens[env] = options.tokens?.[env] ?? secretToken();
  const host = options.host ?? '127.0.0.1';
  const hoop = await new HoopSandbox(tokens.SANDBOX_HOOP_TOKEN).start(options.ports?.hoop, host);
  const unleash = await new UnleashSandbox({ adminToken: tokens.SANDBOX_UNLEASH_TOKEN, ...options.unleash }).start(options.ports?.unleash, host);
  const versori = await new VersoriSandbox(tokens.SANDBOX_VERSORI_TOKEN).start(options.ports?.versori, host);
  const generic = await new GenericSandbox(tokens.SANDBOX_GENERIC_TOKEN).start(options.ports?.generic, host);
  const all = () => [hoop, unleash, versori, generic];
  return {
    hoop,
    unleash,
    versori,
    generic,
    tokens,
    all,
    count: () => all().reduce((n, s) => n + s.count(), 0),
    reset: (data = false) => all().forEach((s) => s.reset(data)),
    stop: async () => {
      await Promise.all(all().map((s) => s.stop()));
    },
  };
}

/** The gateway configuration that points at a sandbox set: what `npm start` runs with no GATEWAY_CONFIG. */
export function sandboxGatewayConfig(set: SandboxSet, server: { port?: number; host?: string } = {}) {
  return {
    server: { port: server.port ?? 4000, host: server.host ?? '127.0.0.1' },
    providers: [
      { id: 'hoop', kind: 'hoop', baseUrl: set.hoop.baseUrl, tokenEnv: SANDBOX_TOKEN_ENV.hoop },
      { id: 'unleash', kind: 'unleash', baseUrl: set.unleash.baseUrl, tokenEnv: SANDBOX_TOKEN_ENV.unleash, defaults: { rootRole: 3 } },
      {
        id: 'versori',
        kind: 'versori',
        baseUrl: set.versori.baseUrl,
        tokenEnv: SANDBOX_TOKEN_ENV.versori,
        defaults: { organisationId: 'org-sandbox', roles: ['viewer'] },
      },
      { id: 'generic', kind: 'generic', baseUrl: set.generic.baseUrl, tokenEnv: SANDBOX_TOKEN_ENV.generic, defaults: { permissions: ['org:read'] } },
    ],
  };
}
