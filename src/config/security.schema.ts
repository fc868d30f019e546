import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { holdsNoCredentials } from './provider-base.schema';

/** Scopes a client may hold: `identity:audit` is reserved for the audit trail (docs/security.md). */
export const SCOPES = ['identity:read', 'identity:write', 'identity:audit'] as const;
export const scopeSchema = z.enum(SCOPES);

const privilegeValue = z.union([z.string().min(1).max(200), z.number()]);

/**
 * What a client may ask providers for. `providers` limits the target ids;
 * `allow` maps a privilege field that a provider kind declares
 * (`<kind>.<field>`) to the values allowed for it. A field not listed is not
 * limited (docs/security.md).
 */
export const clientPolicySchema = z.strictObject({
  providers: z.array(z.string().min(1).max(100)).optional(),
  allow: z.record(z.string().min(1).max(100), z.array(privilegeValue).max(100)).optional(),
});
export type ClientPolicyConfig = z.output<typeof clientPolicySchema>;

// Symmetric algorithms would let anyone holding the verification key mint tokens; `none` needs no key at all.
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

type Asymmetric = (typeof ASYMMETRIC)[number];

const EC_ALGORITHM: Readonly<Record<string, Asymmetric>> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/** The algorithms a public key can verify: an RSA key signs RS and PS, an EC key the ES of its curve, an Ed key EdDSA. */
function algorithmsFor(key: KeyObject): readonly Asymmetric[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const alg = EC_ALGORITHM[key.asymmetricKeyDetails?.namedCurve ?? ''];
      return alg ? [alg] : [];
    }
    case 'ed25519':
    case 'ed448':
      return ['EdDSA'];
    default:
      return [];
  }
}

export const jwtSchema = z
  .strictObject({
    jwksUrl: z
      .url({ protocol: /^https?$/ })
      // The URL is logged when the key set is unreachable: it must hold no credential.
      .refine(holdsNoCredentials, {
        error: 'must not hold a user or password (the URL is logged when the key set is unreachable)',
      })
      .optional(),
    publicKey: z
      .string()
      .regex(/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/, 'must be a PEM SPKI public key (-----BEGIN PUBLIC KEY-----)')
      .optional(),
    issuer: z.string().min(1),
    audience: z.string().min(1),
    scopeClaim: z.string().min(1).default('scope'),
    clientIdClaim: z.string().min(1).default('sub'),
    clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
    /** A JWKS is re-fetched when a token names an unknown `kid` (key rotation), at most once per cooldown. */
    jwksCooldownSeconds: z.number().int().min(1).max(3600).default(30),
    jwksCacheSeconds: z.number().int().min(1).max(86_400).default(600),
    algorithms: z
      .array(z.enum(ASYMMETRIC, { message: `must be one of ${ASYMMETRIC.join(', ')} (no "none", no HMAC)` }))
      .min(1)
      .default(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']),
    /** Per-client policies: the first whose `subject` (or `claim`) matches applies. */
    policies: z
      .array(
        clientPolicySchema.extend({
          subject: z.string().min(1).optional(),
          claim: z.strictObject({ name: z.string().min(1), value: z.string().min(1) }).optional(),
        }),
      )
      .default([]),
    /** For a token that no entry of `policies` matches; absent: such tokens are limited by their scopes only. */
    defaultPolicy: clientPolicySchema.optional(),
  })
  .superRefine((jwt, ctx) => {
    if ((jwt.jwksUrl === undefined) === (jwt.publicKey === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'set exactly one of jwksUrl and publicKey' });
    }
    if (jwt.publicKey !== undefined) {
      // Read here, not first when the verifier is built: a key Node cannot read is a config error (exit 2), and
      // a key no allowed algorithm can use would refuse every token while the gateway looked healthy.
      let key: KeyObject | undefined;
      try {
        // Node derives a public key from a private one: a private key pasted here would be accepted and kept.
        if (/PRIVATE KEY-----/.test(jwt.publicKey)) throw new Error('a private key');
        key = createPublicKey(jwt.publicKey);
      } catch {
        ctx.addIssue({
          code: 'custom',
          path: ['publicKey'],
          message: 'is not a public key Node can read (a PEM SPKI key: RSA, EC P-256/384/521 or Ed25519/Ed448; never a private key)',
        });
      }
      // jose refuses RSA keys under 2048 bits for every token.
      const bits = key?.asymmetricKeyDetails?.modulusLength;
      if (bits !== undefined && bits < 2048) {
        ctx.addIssue({ code: 'custom', path: ['publicKey'], message: `is a ${bits}-bit RSA key: RSA keys of at least 2048 bits are accepted` });
      }
      const usable = key ? algorithmsFor(key) : undefined;
      if (key && usable && !jwt.algorithms.some((a) => usable.includes(a))) {
        ctx.addIssue({
          code: 'custom',
          path: ['algorithms'],
          message: `none of them can verify with publicKey (key type ${key.asymmetricKeyType}${usable.length ? `: ${usable.join(', ')}` : ': none of the allowed algorithms'})`,
        });
      }
    }
    jwt.policies.forEach((p, i) => {
      if ((p.subject === undefined) === (p.claim === undefined))
        ctx.addIssue({ code: 'custom', path: ['policies', i], message: 'set exactly one of subject and claim' });
    });
  });
export type JwtConfig = z.output<typeof jwtSchema>;

/** Bounds on what one request may cost before anything runs (docs/security.md). */
export const limitsSchema = z
  .strictObject({
    /** Selection depth, introspection fields counted. */
    depth: z.number().int().min(5).max(100).default(20),
    aliases: z.number().int().min(0).max(1000).default(30),
    /** Lexical tokens of a document; counted while parsing, so a flood is refused before validation. */
    tokens: z.number().int().min(500).max(100_000).default(4000),
    directives: z.number().int().min(0).max(100).default(10),
    /** graphql-armor cost (objects 2, scalars 1, deeper fields weigh more); introspection excluded. */
    cost: z.number().int().min(100).max(1_000_000).default(10_000),
    /** Items of any list in the variables, checked on the JSON before GraphQL coerces it. */
    listItems: z.number().int().min(1).max(100_000).default(100),
  })
  .prefault({});

/** Connection-level bounds: how long a client may take and how many may be connected. */
export const connectionFields = {
  maxConnections: z.number().int().min(1).max(100_000).default(1024),
  headersTimeoutMs: z.number().int().min(100).max(120_000).default(5000),
  requestTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
};
