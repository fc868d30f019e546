import { z } from 'zod';
import { nameList, providerBase } from '../../config/provider-base.schema';

export const versoriConfigSchema = z.strictObject({
  ...providerBase,
  kind: z.literal('versori'),
  defaults: z.strictObject({ organisationId: z.string().min(1).max(200).optional(), roles: nameList.optional() }).prefault({}),
});
export type VersoriConfig = z.output<typeof versoriConfigSchema>;
