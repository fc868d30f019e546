import type { GatewayConfig } from '../config/config.loader';
import type { ProviderConfig, ProviderKind } from '../config/config.schema';
import { GenericAdapter } from './generic/generic.adapter';
import { HoopAdapter } from './hoop/hoop.adapter';
import type { ProviderAdapter } from './provider.adapter';
import { UnleashAdapter } from './unleash/unleash.adapter';
import { VersoriAdapter } from './versori/versori.adapter';

type Factory = (config: ProviderConfig, token: string) => ProviderAdapter;

/** The one place that knows which adapter serves which kind. */
const FACTORIES: Readonly<Record<ProviderKind, Factory>> = {
  hoop: (c, t) => new HoopAdapter(c as Extract<ProviderConfig, { kind: 'hoop' }>, t),
  unleash: (c, t) => new UnleashAdapter(c as Extract<ProviderConfig, { kind: 'unleash' }>, t),
  versori: (c, t) => new VersoriAdapter(c as Extract<ProviderConfig, { kind: 'versori' }>, t),
  generic: (c, t) => new GenericAdapter(c as Extract<ProviderConfig, { kind: 'generic' }>, t),
};

/** Configured provider instances, in config order (results are reported in this order). */
export class ProviderRegistry {
  constructor(readonly adapters: readonly ProviderAdapter[]) {}

  static fromConfig(config: GatewayConfig): ProviderRegistry {
    return new ProviderRegistry(config.providers.map((p) => FACTORIES[p.kind](p, config.providerTokens[p.id])));
  }

  async close(): Promise<void> {
    await Promise.all(this.adapters.map((a) => a.close()));
  }
}
