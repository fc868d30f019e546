import type { ProviderConfigBase } from '../config/provider-base.schema';
import type { ClientPolicyConfig } from '../config/security.schema';
import type { InputProblem, Operation, SpecByOperation, TargetPolicy } from '../domain';
import type { PrivilegeField, ProviderModule } from '../providers/provider.module';

interface Instance {
  readonly config: ProviderConfigBase;
  readonly privileges: ReadonlyArray<PrivilegeField<ProviderConfigBase>>;
}

/**
 * Turns a client's configured policy into a TargetPolicy. Generic over kinds:
 * each provider module declares its privilege-bearing fields and how to read
 * what a create would send (defaults included); nothing here knows a kind.
 */
export class PolicyBook {
  private readonly instances: ReadonlyMap<string, Instance>;
  private readonly cache = new WeakMap<ClientPolicyConfig, TargetPolicy>();

  constructor(providers: readonly ProviderConfigBase[], modules: readonly ProviderModule[]) {
    const byKind = new Map(modules.map((m) => [m.kind, m]));
    this.instances = new Map(
      providers.map((p) => [p.id, { config: p, privileges: (byKind.get(p.kind)?.privileges ?? []) as ReadonlyArray<PrivilegeField<ProviderConfigBase>> }]),
    );
  }

  forClient(policy: ClientPolicyConfig | undefined): TargetPolicy | undefined {
    if (!policy) return undefined;
    let built = this.cache.get(policy);
    if (!built) this.cache.set(policy, (built = this.build(policy)));
    return built;
  }

  private build(policy: ClientPolicyConfig): TargetPolicy {
    const providers = policy.providers && new Set(policy.providers);
    const allowedFor = (p: PrivilegeField<ProviderConfigBase>): ReadonlySet<string> | undefined => {
      const listed = policy.allow?.[p.field];
      return listed && new Set(listed.map((v) => (p.canonical ? p.canonical(v) : String(v))));
    };
    return {
      allowsProvider: (id) => !providers || providers.has(id),
      check: <O extends Operation>(operation: O, spec: SpecByOperation[O], providerIds: readonly string[]): InputProblem | undefined => {
        for (const id of providerIds) {
          if (providers && !providers.has(id)) return { field: 'providers', message: `this client may not create on provider "${id}"` };
          const instance = this.instances.get(id);
          for (const privilege of instance?.privileges ?? []) {
            const allowed = allowedFor(privilege);
            if (!allowed) continue;
            const requested = privilege.values(operation, spec, instance!.config);
            const denied = requested?.values.find((v) => !allowed.has(v));
            if (denied !== undefined) {
              return {
                field: requested!.inputField,
                message: `this client may not grant ${JSON.stringify(denied)} on provider "${id}" (${privilege.field} allowed: ${[...allowed].join(', ') || 'none'}); a provider default counts as requested`,
              };
            }
          }
        }
        return undefined;
      },
    };
  }
}
