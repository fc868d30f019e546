import Negotiator from 'negotiator';

/**
 * The types Apollo answers a single result in, exactly as its `chooseContentTypeForSingleResultResponse`
 * offers them (`MEDIA_TYPES`, not exported): parameters included, since the negotiation refuses a type whose
 * parameters do not cover the client's (`application/json; charset=utf-8` is acceptable, `application/json`
 * alone is not). test/unit/accept-negotiation.test.ts compares the two answers on many Accept values.
 */
const SINGLE_RESULT_TYPES: readonly string[] = [
  'application/json; charset=utf-8',
  'application/graphql-response+json; charset=utf-8',
  'application/json; callbackSpec=1.0; charset=utf-8',
];

/**
 * Whether Apollo will be able to send a single result to this Accept header. Apollo decides it only once
 * the operation has run; the GraphQL-over-HTTP spec asks a server that cannot honour Accept to answer 406
 * and stop processing, which for a mutation means before anything is created.
 */
export function acceptsSingleResult(accept: string | undefined): boolean {
  // Apollo's rule too: no Accept (or an empty one) takes JSON.
  if (!accept) return true;
  let known = seen.get(accept);
  if (known === undefined) {
    known = new Negotiator({ headers: { accept } }).mediaType(SINGLE_RESULT_TYPES) !== undefined;
    // A client sends the same few headers again and again; any header at all may arrive, so the memory is bounded.
    if (accept.length <= 256) {
      if (seen.size >= SEEN_MAX) seen.clear();
      seen.set(accept, known);
    }
  }
  return known;
}

const SEEN_MAX = 256;
const seen = new Map<string, boolean>();

const ERROR_TYPES = ['application/json', 'application/graphql-response+json'];

/**
 * The type of a refusal the gateway answers itself (401, 413, a malformed body…), as Apollo answers its own:
 * application/graphql-response+json when the client prefers it (the GraphQL-over-HTTP spec: the highest
 * priority type the server supports), JSON otherwise (and when Accept admits neither: a 406 still needs one).
 */
export function errorContentType(accept: string | undefined): string {
  if (!accept) return 'application/json; charset=utf-8';
  const chosen = new Negotiator({ headers: { accept } }).mediaType(ERROR_TYPES) ?? 'application/json';
  return `${chosen}; charset=utf-8`;
}

/**
 * A person who typed /graphql into a browser's address bar: a GET or HEAD with no query string whose Accept
 * prefers HTML to JSON (a browser's navigation sends `text/html,…,*\/*;q=0.8`; curl and GraphQL clients send
 * `*\/*` or JSON). Apollo would answer it with a CSRF refusal in JSON.
 */
export function isBrowserNavigation(method: string | undefined, url: string | undefined, accept: string | undefined): boolean {
  if ((method !== 'GET' && method !== 'HEAD') || !accept || url?.includes('?')) return false;
  return new Negotiator({ headers: { accept } }).mediaType(NAVIGATION_TYPES) === 'text/html';
}

const NAVIGATION_TYPES = ['application/json', 'application/graphql-response+json', 'text/html'];
