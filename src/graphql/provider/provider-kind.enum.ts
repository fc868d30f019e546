import { registerEnumType } from 'type-graphql';

/**
 * Built from the provider modules' kinds when the schema is built, not
 * written here: a new kind appears in the enum without an edit in graphql/.
 * GraphQL names are the upper-cased kinds; values are the kinds themselves.
 */
export const ProviderKind: Record<string, string> = {};

export function registerProviderKinds(kinds: readonly string[]): void {
  if (Object.keys(ProviderKind).length) return;
  for (const kind of kinds) ProviderKind[kind.toUpperCase().replace(/[^A-Z0-9_]/g, '_')] = kind;
  registerEnumType(ProviderKind, { name: 'ProviderKind', description: 'A provider module (one per API shape the gateway speaks).' });
}
