import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { playgroundCsp, playgroundPage } from './playground.page';
import { PLAYGROUND_ASSET_PREFIX, playgroundAsset } from './static.assets';

export interface PlaygroundRouteOptions {
  /** server.playground, and never without introspection: GraphiQL without a schema is a text box. */
  readonly enabled: boolean;
  readonly authRequired: boolean;
  readonly providerIds: readonly string[];
}

/** GET / and /playground/*: returns false for any request it does not serve, so the caller's routes apply. */
export function createPlaygroundRoutes(options: PlaygroundRouteOptions): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  return (req, res, path) => {
    if (!options.enabled || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    if (path === '/') {
      const nonce = randomBytes(16).toString('base64');
      res.statusCode = 200;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.setHeader('content-security-policy', playgroundCsp(nonce));
      res.setHeader('cache-control', 'no-store');
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
      const html = playgroundPage({ nonce, endpoint: '/graphql', authRequired: options.authRequired, providerIds: options.providerIds });
      res.end(req.method === 'HEAD' ? undefined : html);
      return true;
    }
    if (!path.startsWith(PLAYGROUND_ASSET_PREFIX)) return false;
    const asset = playgroundAsset(path.slice(PLAYGROUND_ASSET_PREFIX.length));
    if (!asset) return false;
    res.setHeader('content-type', asset.contentType);
    // Page URLs carry the content hash (?v=), so a changed file is a new URL.
    res.setHeader('cache-control', 'public, max-age=31536000, immutable');
    res.setHeader('etag', asset.etag);
    res.setHeader('x-content-type-options', 'nosniff');
    if (req.headers['if-none-match'] === asset.etag) {
      res.statusCode = 304;
      res.end();
      return true;
    }
    res.statusCode = 200;
    res.setHeader('content-length', asset.body.length);
    res.end(req.method === 'HEAD' ? undefined : asset.body);
    return true;
  };
}
