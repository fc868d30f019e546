import type { ProviderModule } from '../provider.module';
import { UnleashAdapter } from './unleash.adapter';
import { unleashConfigSchema } from './unleash.config';
import { UnleashServiceAccountOptions, UnleashUserOptions } from './unleash.options';
import { validateUnleashOptions } from './unleash.spec';

export const unleashModule: ProviderModule<typeof unleashConfigSchema> = {
  kind: 'unleash',
  description: 'Unleash: users (every edition) and service accounts with a PAT (Enterprise).',
  configSchema: unleashConfigSchema,
  graphql: { serviceAccountOptions: UnleashServiceAccountOptions, userOptions: UnleashUserOptions },
  validateOptions: validateUnleashOptions,
  createAdapter: (config, token) => new UnleashAdapter(config, token),
};
