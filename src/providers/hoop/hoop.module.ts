import type { UserSpec } from '../../domain';
import type { ProviderModule } from '../provider.module';
import { optionsOf } from '../provider.options';
import { HoopAdapter } from './hoop.adapter';
import { hoopConfigSchema } from './hoop.config';
import { HoopServiceAccountOptions, HoopUserOptions } from './hoop.options';
import { validateHoopOptions, type HoopServiceAccountOptions as HoopServiceAccountOptionsShape } from './hoop.spec';

export const hoopModule: ProviderModule<typeof hoopConfigSchema> = {
  kind: 'hoop',
  description: 'hoop.dev access gateway: service accounts and users.',
  configSchema: hoopConfigSchema,
  graphql: { serviceAccountOptions: HoopServiceAccountOptions, userOptions: HoopUserOptions },
  validateOptions: validateHoopOptions,
  createAdapter: (config, token) => new HoopAdapter(config, token),
  privileges: [
    {
      field: 'hoop.groups',
      // Service accounts take groups from their hoop options, users from the common `groups` field; both fall back to the defaults.
      values: (operation, spec, config) => {
        const own = operation === 'createUser' ? (spec as UserSpec).groups : optionsOf<HoopServiceAccountOptionsShape>(spec.options, 'hoop')?.groups;
        const groups = own ?? config.defaults.groups;
        return groups && { inputField: operation === 'createUser' ? 'groups' : 'hoop.groups', values: groups };
      },
    },
  ],
};
