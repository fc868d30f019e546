import type { ProviderModule } from '../provider.module';
import { VersoriAdapter } from './versori.adapter';
import { versoriConfigSchema } from './versori.config';
import { VersoriServiceAccountOptions } from './versori.options';
import { validateVersoriOptions } from './versori.spec';

export const versoriModule: ProviderModule<typeof versoriConfigSchema> = {
  kind: 'versori',
  description: 'Versori organisations: service accounts with an OAuth client id and secret.',
  configSchema: versoriConfigSchema,
  graphql: { serviceAccountOptions: VersoriServiceAccountOptions },
  validateOptions: validateVersoriOptions,
  createAdapter: (config, token) => new VersoriAdapter(config, token),
};
