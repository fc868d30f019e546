import { z } from 'zod';
import { nameList, providerBase } from '../../config/provider-base.schema';

export const hoopConfigSchema = z.strictObject({
  ...providerBase,
  kind: z.literal('hoop'),
  defaults: z.strictObject({ groups: nameList.optional() }).prefault({}),
});
export type HoopConfig = z.output<typeof hoopConfigSchema>;
