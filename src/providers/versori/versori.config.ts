import { z } from 'zod';
import { nameList, providerBase } from '../../config/provider-base.schema';

/** What the gateway sends as an organisation id in the path, whether it comes from the input or the config. */
export const ORGANISATION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export const versoriConfigSchema = z.strictObject({
  ...providerBase,
  kind: z.literal('versori'),
  defaults: z
    .strictObject({ organisationId: z.string().regex(ORGANISATION_ID, 'must be letters, digits, _ or - (at most 128)').optional(), roles: nameList.optional() })
    .prefault({}),
});
export type VersoriConfig = z.output<typeof versoriConfigSchema>;
