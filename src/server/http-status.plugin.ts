import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { HTTP_STATUS, isErrorCode } from '../errors/error-code.enum';

/**
 * Gives an executed response the status of an error that concerns the whole request
 * (the `executed` column of HTTP_STATUS), but only when no field produced
 * data: a response that carries data is a 200, whatever else failed. A 200
 * in the table leaves Apollo's own status alone (400 for a request it could
 * not execute, such as a bad variable).
 */
export function httpStatusPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const data = response.body.singleResult.data;
          if (data && Object.values(data).some((v) => v !== null && v !== undefined)) return;
          for (const e of response.body.singleResult.errors ?? []) {
            const code = e.extensions?.code;
            if (!isErrorCode(code) || HTTP_STATUS[code].executed === 200) continue;
            response.http.status = HTTP_STATUS[code].executed;
            // The hint in the header too, for HTTP clients and proxies that read only that.
            const after = e.extensions?.retryAfterSeconds;
            if (typeof after === 'number') response.http.headers.set('retry-after', String(after));
            // RFC 6750 §3.1: a token without the scope the operation needs says which.
            const scope = e.extensions?.requiredScope;
            if (typeof scope === 'string') {
              response.http.headers.set('www-authenticate', `Bearer realm="identity-gateway", error="insufficient_scope", scope="${scope}"`);
            }
            return;
          }
        },
      };
    },
  };
}
