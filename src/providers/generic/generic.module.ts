import type { ProviderModule } from '../provider.module';
import { GenericAdapter } from './generic.adapter';
import { genericConfigSchema } from './generic.config';
import { GenericServiceAccountOptions } from './generic.options';
import { validateGenericOptions } from './generic.spec';

export const genericModule: ProviderModule<typeof genericConfigSchema> = {
  kind: 'generic',
  description: 'Any service-account API of the generic shape: POST /v1/service-accounts in an envelope.',
  configSchema: genericConfigSchema,
  graphql: { serviceAccountOptions: GenericServiceAccountOptions },
  validateOptions: validateGenericOptions,
  createAdapter: (config, token) => new GenericAdapter(config, token),
};
