import type { ProviderAdapter } from '../../src/domain';
import type { ProviderModule } from '../../src/providers/provider.module';
import { RecordingServer } from './recording.server';

/**
 * One provider module against a real recording HTTP server: adapters are built
 * through the module exactly as the registry builds them (its config schema,
 * then its factory, token `t` unless given), and closed after each test.
 */
export function adapterTestbed(module: ProviderModule): {
  server: RecordingServer;
  adapter(config: Record<string, unknown>, token?: string): ProviderAdapter;
} {
  const server = new RecordingServer();
  const adapters: ProviderAdapter[] = [];
  beforeAll(() => server.start());
  afterEach(async () => {
    await Promise.all(adapters.splice(0).map((a) => a.close()));
  });
  afterAll(() => server.stop());
  return {
    server,
    adapter(config, token = 't') {
      const adapter = module.createAdapter(module.configSchema.parse({ kind: module.kind, ...config }), token);
      adapters.push(adapter);
      return adapter;
    },
  };
}
