import type { ProviderModule } from '../provider.module';
import { HoopAdapter } from './hoop.adapter';
import { hoopConfigSchema } from './hoop.config';
import { HoopServiceAccountOptions, HoopUserOptions } from './hoop.options';
import { validateHoopOptions } from './hoop.spec';

export const hoopModule: ProviderModule<typeof hoopConfigSchema> = {
  kind: 'hoop',
  description: 'hoop.dev access gateway: service accounts and users.',
  configSchema: hoopConfigSchema,
  graphql: { serviceAccountOptions: HoopServiceAccountOptions, userOptions: HoopUserOptions },
  validateOptions: validateHoopOptions,
  createAdapter: (config, token) => new HoopAdapter(config, token),
};
