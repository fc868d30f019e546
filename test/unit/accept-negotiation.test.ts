import fc from 'fast-check';
import { HeaderMap } from '@apollo/server';
import { acceptsSingleResult } from '../../src/server/accept.negotiation';

// Apollo's own choice, from its internals (not exported): the gateway must refuse exactly what Apollo would.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const apollo = require(require.resolve('@apollo/server').replace(/index\.js$/, 'ApolloServer.js')) as {
  chooseContentTypeForSingleResultResponse(head: { headers: HeaderMap }): string | null;
};
const apolloAccepts = (accept: string) => apollo.chooseContentTypeForSingleResultResponse({ headers: new HeaderMap([['accept', accept]]) }) !== null;

describe('Accept negotiation before execution agrees with Apollo after it', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'application/graphql-response+json; charset=utf-8',
    '*/*;charset=utf-8',
    'application/json;charset=utf-8;q=0.5',
    'application/json, application/json;charset=utf-8;q=0',
    'APPLICATION/JSON;q=1,application/json;q=0;charset=utf-8',
    'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'application/graphql-response+json, application/json, multipart/mixed',
    'text/html',
    'multipart/mixed; deferSpec=20220824',
    'application/json;q=0',
    'application/*',
  ])('%s', (accept) => {
    expect(acceptsSingleResult(accept)).toBe(apolloAccepts(accept));
  });

  it('on generated Accept headers', () => {
    const type = fc.constantFrom(
      'application/json',
      'APPLICATION/JSON',
      'application/graphql-response+json',
      'application/*',
      '*/*',
      'text/html',
      'multipart/mixed',
      'text/*',
    );
    const param = fc.constantFrom(
      '',
      ';charset=utf-8',
      '; charset=UTF-8',
      ';q=0',
      ';q=0.5',
      ';q=1',
      ';callbackSpec=1.0',
      ';charset=latin1',
      ';deferSpec=20220824',
    );
    const entry = fc.tuple(type, param, param).map(([t, a, b]) => `${t}${a}${b}`);
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 4 }), (entries) => {
        const accept = entries.join(', ');
        expect(acceptsSingleResult(accept)).toBe(apolloAccepts(accept));
      }),
      { numRuns: 3000 },
    );
  });
});
