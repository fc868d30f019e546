import { Field } from 'type-graphql';

/** One provider kind's option input types, as the schema builder hands them to graphql/ (it never imports providers/). */
export interface ProviderOptionsDescriptor {
  /** The kind, also the field name: `hoop: HoopServiceAccountOptions`. */
  readonly kind: string;
  readonly description: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- a type-graphql @InputType class
  readonly serviceAccountOptions?: Function;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- a type-graphql @InputType class
  readonly userOptions?: Function;
}

const applied = new Set<string>();

/**
 * Adds one nullable field per provider kind to the create inputs, exactly as
 * the @Field decorator would have, so the per-kind option fields come from the
 * registry's list of modules and not from edits here.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- type-graphql input classes
export function addProviderOptionFields(descriptors: readonly ProviderOptionsDescriptor[], inputs: { serviceAccount: Function; user: Function }): void {
  for (const d of descriptors) {
    if (applied.has(d.kind)) continue;
    applied.add(d.kind);
    const sa = d.serviceAccountOptions;
    const user = d.userOptions;
    if (sa) Field(() => sa, { nullable: true, description: d.description })(inputs.serviceAccount.prototype, d.kind);
    if (user) Field(() => user, { nullable: true, description: d.description })(inputs.user.prototype, d.kind);
  }
}
