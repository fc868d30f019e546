import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface StaticAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

/** URL path under which the playground's files are served. */
export const PLAYGROUND_ASSET_PREFIX = '/playground/';

/**
 * Only these files are reachable: names map to package files resolved through
 * Node's resolver, so no request path ever touches the file system.
 */
const FILES: Readonly<Record<string, { pkg: string; file: string; contentType: string }>> = {
  'react.production.min.js': { pkg: 'react', file: 'umd/react.production.min.js', contentType: 'text/javascript; charset=utf-8' },
  'react-dom.production.min.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', contentType: 'text/javascript; charset=utf-8' },
  'graphiql.min.js': { pkg: 'graphiql', file: 'graphiql.min.js', contentType: 'text/javascript; charset=utf-8' },
  'graphiql.min.css': { pkg: 'graphiql', file: 'graphiql.min.css', contentType: 'text/css; charset=utf-8' },
};

const cache = new Map<string, StaticAsset>();

/** Reads a file on first use and keeps it: about 1.5 MB in all, served many times. */
export function playgroundAsset(name: string): StaticAsset | undefined {
  const spec = Object.prototype.hasOwnProperty.call(FILES, name) ? FILES[name] : undefined;
  if (!spec) return undefined;
  let asset = cache.get(name);
  if (!asset) {
    // The packages point to source maps the gateway does not serve; a browser would ask for them.
    const body = stripSourceMapComment(readFileSync(packageFile(spec.pkg, spec.file)));
    asset = { body, contentType: spec.contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
    cache.set(name, asset);
  }
  return asset;
}

/** The versioned URL of an asset: the content hash makes a year-long cache safe across upgrades. */
export function playgroundAssetUrl(name: string): string {
  const asset = playgroundAsset(name);
  if (!asset) throw new Error(`unknown playground asset ${name}`);
  return `${PLAYGROUND_ASSET_PREFIX}${name}?v=${asset.etag.slice(1, 13)}`;
}

function stripSourceMapComment(body: Buffer): Buffer {
  const text = body.toString('utf8');
  const stripped = text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n').replace(/\n?\/\*# sourceMappingURL=\S+ \*\/\s*$/, '\n');
  return stripped === text ? body : Buffer.from(stripped, 'utf8');
}

/** The packages' `exports` hide their UMD files from require.resolve; their package.json is exported. */
function packageFile(pkg: string, file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}
