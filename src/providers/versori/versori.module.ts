import type { ProviderModule } from '../provider.module';
import { optionsOf } from '../provider.options';
import { VersoriAdapter } from './versori.adapter';
import { versoriConfigSchema } from './versori.config';
import { VersoriServiceAccountOptions } from './versori.options';
import { validateVersoriOptions, type VersoriServiceAccountOptions as VersoriServiceAccountOptionsShape } from './versori.spec';

export const versoriModule: ProviderModule<typeof versoriConfigSchema> = {
  kind: 'versori',
  description: 'Versori organisations: service accounts with an OAuth client id and secret.',
  configSchema: versoriConfigSchema,
  graphql: { serviceAccountOptions: VersoriServiceAccountOptions },
  validateOptions: validateVersoriOptions,
  createAdapter: (config, token) => new VersoriAdapter(config, token),
  privileges: [
    {
      field: 'versori.roles',
      values: (_operation, spec, config) => {
        const roles = optionsOf<VersoriServiceAccountOptionsShape>(spec.options, 'versori')?.roles ?? config.defaults.roles;
        return roles && { inputField: 'versori.roles', values: roles };
      },
    },
    {
      // A group grants its own roles: membership is as privileged as `roles`.
      field: 'versori.groupIds',
      values: (_operation, spec) => {
        const groupIds = optionsOf<VersoriServiceAccountOptionsShape>(spec.options, 'versori')?.groupIds;
        return groupIds && { inputField: 'versori.groupIds', values: groupIds };
      },
    },
    {
      // The organisation the account is created in: the provider's token may reach more than one.
      field: 'versori.organisationId',
      values: (_operation, spec, config) => {
        const organisationId = optionsOf<VersoriServiceAccountOptionsShape>(spec.options, 'versori')?.organisationId ?? config.defaults.organisationId;
        return organisationId === undefined ? undefined : { inputField: 'versori.organisationId', values: [organisationId] };
      },
    },
  ],
};
