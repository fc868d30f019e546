import { z } from 'zod';
import { nameList, providerBase } from '../../config/provider-base.schema';

export const genericConfigSchema = z.strictObject({
  ...providerBase,
  kind: z.literal('generic'),
  defaults: z.strictObject({ permissions: nameList.min(1).optional() }).prefault({}),
});
export type GenericConfig = z.output<typeof genericConfigSchema>;
