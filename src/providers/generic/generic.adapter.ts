import type { PrepareResult, Preparers, ServiceAccountSpec } from '../../domain';
import { messageField, type FailureQuirks } from '../http-failure.mapper';
import { HttpProviderAdapter } from '../http-provider.adapter';
import { asObject, optString, requireId } from '../provider.call';
import { optionsOf } from '../provider.options';
import type { GenericConfig } from './generic.config';
import type { GenericServiceAccountOptions } from './generic.spec';

/**
 * Errors come in the same envelope as success: `{code, data, message, requestId}`, and an HTTP 200 can carry
 * an error `code` (docs/providers.md). A code sent as a string of digits ("500") is the same code.
 */
const requestIdOf = (json: unknown) => optString(asObject(json)?.requestId);
/** No `code` is success; a code that is neither a number nor a string of digits (`"abc"`, `null`, `true`) reads as none of them. */
const envelopeCode = (envelope: Record<string, unknown>): number =>
  envelope.code === undefined
    ? 200
    : typeof envelope.code === 'number'
      ? envelope.code
      : typeof envelope.code === 'string' && /^\d+$/.test(envelope.code)
        ? Number(envelope.code)
        : Number.NaN;
const isStatus = (code: number) => Number.isInteger(code) && code >= 100 && code <= 599;
/** An error code inside a 2xx envelope; a number that is no HTTP status is left to `read`, which cannot read it. */
const statusInside = (json: unknown): number | undefined => {
  const envelope = asObject(json);
  const code = envelope ? envelopeCode(envelope) : 200;
  return isStatus(code) && (code < 200 || code >= 300) ? code : undefined;
};
const quirks: FailureQuirks = { messageOf: messageField, requestIdOf, statusInside };
/** The envelope's fields: a 2xx body with none of them is not the contract's answer. */
const ENVELOPE_FIELDS = ['code', 'message', 'requestId', 'data'];

export class GenericAdapter extends HttpProviderAdapter {
  readonly kind = 'generic';
  readonly prepare: Preparers = { createServiceAccount: (spec) => this.prepareServiceAccount(spec) };

  constructor(
    private readonly config: GenericConfig,
    token: string,
  ) {
    super(config, `Bearer ${token}`);
  }

  private prepareServiceAccount(sa: ServiceAccountSpec): PrepareResult {
    if (sa.status !== 'ACTIVE') {
      return { kind: 'unsupported', message: `${this.id} creates service accounts active only; cannot create one ${sa.status}` };
    }
    const permissions = optionsOf<GenericServiceAccountOptions>(sa.options, this.kind)?.permissions ?? this.config.defaults.permissions;
    if (!permissions || permissions.length === 0) return this.missing('generic.permissions', 'permissions');
    return this.ready(sa.name, {
      path: '/v1/service-accounts',
      body: { name: sa.name, description: sa.description, permissions },
      quirks,
      // Its contract documents no check of a second create with the same name (docs/providers.md).
      refusesDuplicates: false,
      read: (json) => {
        const envelope = asObject(json);
        // Error codes inside the envelope never get here (statusInside): what is left is success or unreadable.
        if (!envelope || !isStatus(envelopeCode(envelope)) || !ENVELOPE_FIELDS.some((f) => f in envelope)) return undefined;
        // The contract requires none of the envelope's fields, nor any of its data's: a success envelope is a
        // create, described by whatever data it carries (no data: the name sent). A data that is no object is unreadable.
        const data = envelope.data ?? {};
        const o = asObject(data);
        if (!o) return undefined;
        return {
          entity: { id: requireId(o.id), name: optString(o.name) ?? sa.name, status: optString(o.status)?.toUpperCase(), createdAt: optString(o.createdAt) },
          credentials: [],
        };
      },
    });
  }
}
