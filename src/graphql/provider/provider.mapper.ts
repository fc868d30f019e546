import type { ProviderInfo } from '../../identity/identity.service';
import { Provider, ProviderHealth } from './provider.type';

export function toProvider(info: ProviderInfo): Provider {
  const health = Object.assign(new ProviderHealth(), {
    ...info.health,
    lastSuccessAt: info.health.lastSuccessAt ? new Date(info.health.lastSuccessAt) : undefined,
    lastFailureAt: info.health.lastFailureAt ? new Date(info.health.lastFailureAt) : undefined,
  });
  return Object.assign(new Provider(), {
    id: info.id,
    kind: info.kind,
    capabilities: [...info.operations],
    health,
  });
}
