import type { Operation } from './operation.enum';
import type { InputProblem, SpecByOperation } from './identity.spec';

/**
 * What one client may ask of providers, decided before any I/O. Built by the
 * auth layer from the client's configured policy and the provider kinds'
 * declared privilege fields; the identity service only asks it.
 */
export interface TargetPolicy {
  /** Whether the client may target this provider instance at all. */
  allowsProvider(providerId: string): boolean;
  /** The first requested (or defaulted) privilege value outside the policy; undefined when everything is allowed. */
  check<O extends Operation>(operation: O, spec: SpecByOperation[O], providerIds: readonly string[]): InputProblem | undefined;
}
