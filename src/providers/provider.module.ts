import type { z } from 'zod';
import type { OptionsValidator, ProviderAdapter } from '../domain';
import type { ProviderConfigBase } from '../config/provider-base.schema';

/** A type-graphql @InputType class. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- what type-graphql's Field() takes
export type InputClass = Function;

/**
 * Everything the gateway knows of one provider kind, in one object. The
 * config schema's union, the `ProviderKind` GraphQL enum and the per-kind
 * option fields of the create inputs are all built from the registry's list
 * of these: adding a kind is one folder and one line (docs/providers.md).
 */
export interface ProviderModule<S extends z.ZodType<ProviderConfigBase> = z.ZodType<ProviderConfigBase>> {
  /** Also the name of its option field in the create inputs (`hoop: {…}`). */
  readonly kind: string;
  /** One line for the schema's documentation of the option fields. */
  readonly description: string;
  /** One provider entry of this kind: a `kind` literal, the shared base fields, `defaults` and its own. */
  readonly configSchema: S;
  /** Its options' GraphQL input types (in `<kind>.options.ts`, the one file of the folder that knows GraphQL). */
  readonly graphql: { readonly serviceAccountOptions?: InputClass; readonly userOptions?: InputClass };
  /** Rules on its options that hold whatever the instance; instance defaults are checked by the adapter. */
  readonly validateOptions: OptionsValidator;
  createAdapter(config: z.output<S>, token: string): ProviderAdapter;
}
