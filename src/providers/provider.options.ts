import type { ProviderOptions } from '../domain';

/**
 * This kind's options from a spec. The carrier is generic; the shape is the
 * module's own, and its GraphQL input class `implements` the same interface,
 * so what arrives here was typed by the schema.
 */
export function optionsOf<T extends object>(options: ProviderOptions, kind: string): Readonly<T> | undefined {
  return options[kind] as Readonly<T> | undefined;
}
