import type { ProviderModule } from '../provider.module';
import { optionsOf } from '../provider.options';
import { GenericAdapter } from './generic.adapter';
import { genericConfigSchema } from './generic.config';
import { GenericServiceAccountOptions } from './generic.options';
import { validateGenericOptions, type GenericServiceAccountOptions as GenericServiceAccountOptionsShape } from './generic.spec';

export const genericModule: ProviderModule<typeof genericConfigSchema> = {
  kind: 'generic',
  description: 'Any service-account API of the generic shape: POST /v1/service-accounts in an envelope.',
  configSchema: genericConfigSchema,
  graphql: { serviceAccountOptions: GenericServiceAccountOptions },
  validateOptions: validateGenericOptions,
  createAdapter: (config, token) => new GenericAdapter(config, token),
  privileges: [
    {
      field: 'generic.permissions',
      values: (_operation, spec, config) => {
        const permissions = optionsOf<GenericServiceAccountOptionsShape>(spec.options, 'generic')?.permissions ?? config.defaults.permissions;
        return permissions && { inputField: 'generic.permissions', values: permissions };
      },
    },
  ],
};
