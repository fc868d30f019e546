import type { ProviderModule } from '../provider.module';
import { optionsOf } from '../provider.options';
import { UnleashAdapter } from './unleash.adapter';
import { z } from 'zod';
import { rootRole, unleashConfigSchema } from './unleash.config';
import { UnleashServiceAccountOptions, UnleashUserOptions as UnleashUserOptionsInput } from './unleash.options';
import { canonicalRootRole, validateUnleashOptions, type UnleashUserOptions } from './unleash.spec';

export const unleashModule: ProviderModule<typeof unleashConfigSchema> = {
  kind: 'unleash',
  description: 'Unleash: users (every edition) and service accounts with a PAT (Enterprise).',
  configSchema: unleashConfigSchema,
  graphql: { serviceAccountOptions: UnleashServiceAccountOptions, userOptions: UnleashUserOptionsInput },
  validateOptions: validateUnleashOptions,
  createAdapter: (config, token) => new UnleashAdapter(config, token),
  privileges: [
    {
      field: 'unleash.rootRole',
      values: (_operation, spec, config) => {
        const role = optionsOf<UnleashUserOptions>(spec.options, 'unleash')?.rootRole ?? config.defaults.rootRole;
        return role === undefined ? undefined : { inputField: 'unleash.rootRole', values: [canonicalRootRole(role)] };
      },
      canonical: canonicalRootRole,
      // A role id as a number or a string of digits, or exactly one of the built-in names.
      value: { schema: z.union([rootRole, z.string().regex(/^[1-9]\d*$/)]), rule: 'a role id, or one of Admin, Editor, Viewer' },
    },
  ],
};
