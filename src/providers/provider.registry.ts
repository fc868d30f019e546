import type { ProviderAdapter } from '../domain';
import type { ProviderConfigBase } from '../config/provider-base.schema';
import { genericModule } from './generic/generic.module';
import { hoopModule } from './hoop/hoop.module';
import type { ProviderModule } from './provider.module';
import { unleashModule } from './unleash/unleash.module';
import { versoriModule } from './versori/versori.module';

/** Every provider kind the gateway knows: one line each. */
export const PROVIDER_MODULES: readonly ProviderModule[] = [hoopModule, unleashModule, versoriModule, genericModule];

/** Configured provider instances, in config order (results are reported in this order). */
export class ProviderRegistry {
  constructor(readonly adapters: readonly ProviderAdapter[]) {}

  static fromConfig(
    config: { readonly providers: readonly ProviderConfigBase[]; readonly providerTokens: Readonly<Record<string, string>> },
    modules: readonly ProviderModule[] = PROVIDER_MODULES,
  ): ProviderRegistry {
    const byKind = new Map(modules.map((m) => [m.kind, m]));
    return new ProviderRegistry(
      config.providers.map((p) => {
        const module = byKind.get(p.kind);
        // The config schema is built from the same list, so a parsed config names only known kinds.
        if (!module) throw new Error(`no provider module for kind "${p.kind}"`);
        return module.createAdapter(p, config.providerTokens[p.id]);
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.adapters.map((a) => a.close()));
  }
}
