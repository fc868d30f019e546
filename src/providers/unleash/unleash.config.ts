import { z } from 'zod';
import { providerBase } from '../../config/provider-base.schema';

/** A built-in root role: its integer id, or exactly one of its names (docs/providers.md). */
export const rootRole = z.union([z.number().int().positive(), z.enum(['Admin', 'Editor', 'Viewer'])]);

export const unleashConfigSchema = z.strictObject({
  ...providerBase,
  kind: z.literal('unleash'),
  /** Open-source servers have no service-account API: say so and the gateway will not call it. */
  edition: z.enum(['enterprise', 'oss']).default('enterprise'),
  defaults: z.strictObject({ rootRole: rootRole.optional() }).prefault({}),
});
export type UnleashConfig = z.output<typeof unleashConfigSchema>;
