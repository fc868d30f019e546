import type { z } from 'zod';
import type { OptionsValidator, Operation, ProviderAdapter, SpecByOperation } from '../domain';
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
  /** Fields that grant power on the provider, which a client policy can limit (docs/security.md). */
  readonly privileges?: ReadonlyArray<PrivilegeField<z.output<S>>>;
}

/**
 * One privilege-bearing field of a kind. `values` must answer what the
 * adapter would actually send, provider defaults included: a policy that
 * looked only at the input would let a client obtain a privileged default
 * by leaving the field out.
 */
export interface PrivilegeField<C = never> {
  /** `<kind>.<field>`: the key a client policy lists allowed values under. */
  readonly field: string;
  values<O extends Operation>(operation: O, spec: SpecByOperation[O], config: C): PrivilegeValues | undefined;
  /** The form values are compared in, for values a policy lists (e.g. a role name to its id). */
  canonical?(value: string | number): string;
  /**
   * What a value a policy lists must be, checked at start: a misspelt one ("viewer" for Unleash's "Viewer")
   * would otherwise match nothing and refuse that client every create. Absent: any value (free-form names).
   */
  readonly value?: { readonly schema: z.ZodType; readonly rule: string };
}

export interface PrivilegeValues {
  /** The input field a refusal names (`groups` for a user, `hoop.groups` for a service account). */
  readonly inputField: string;
  readonly values: readonly string[];
}
