/** The creates the gateway performs. GraphQL names are the keys; values are the domain's own strings. */
export const IdentityOperation = {
  CREATE_SERVICE_ACCOUNT: 'createServiceAccount',
  CREATE_USER: 'createUser',
} as const;
export type Operation = (typeof IdentityOperation)[keyof typeof IdentityOperation];
