import { graphql, GraphQLError, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { ConflictError } from '../../src/errors/gateway.error';
import { locateRootFieldErrors } from '../../src/errors/field-error.locator';

/** A fresh schema per call: the locator wraps resolvers in place. */
function schemaThrowing(make: () => unknown): GraphQLSchema {
  const fail = (): never => {
    throw make();
  };
  const failLater = async (): Promise<never> => {
    await Promise.resolve();
    throw make();
  };
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        now: { type: GraphQLString, resolve: fail },
        later: { type: GraphQLString, resolve: failLater },
        ok: { type: GraphQLString, resolve: () => 'yes' },
      },
    }),
    mutation: new GraphQLObjectType({ name: 'Mutation', fields: { make: { type: GraphQLString, resolve: failLater } } }),
  });
}

const QUERY = 'query Q {\n  ok\n  now\n  later\n}';

describe('resolver errors located without a stack', () => {
  it('gives clients the same errors graphql-js gives: message, locations, path, original error', async () => {
    const thrown: Error[] = [];
    const make = () => {
      const err = new ConflictError('already created', { idempotencyKey: 'k' });
      thrown.push(err);
      return err;
    };
    const plain = await graphql({ schema: schemaThrowing(make), source: QUERY });
    const located = await graphql({ schema: locateRootFieldErrors(schemaThrowing(make)), source: QUERY });

    expect(located.data).toEqual({ ok: 'yes', now: null, later: null });
    expect(located.errors?.map((e) => e.toJSON())).toEqual(plain.errors?.map((e) => e.toJSON()));
    expect(located.errors?.map((e) => e.toJSON())).toEqual([
      { message: 'already created', locations: [{ line: 3, column: 3 }], path: ['now'], extensions: { idempotencyKey: 'k' } },
      { message: 'already created', locations: [{ line: 4, column: 3 }], path: ['later'], extensions: { idempotencyKey: 'k' } },
    ]);
    expect(located.errors?.map((e) => e.originalError)).toEqual(thrown.slice(2));
    for (const e of located.errors ?? []) expect(e).toBeInstanceOf(GraphQLError);
  });

  it('keeps the stack of an unexpected error, the one the log shows', async () => {
    let bug: Error | undefined;
    const schema = locateRootFieldErrors(
      schemaThrowing(() => {
        bug = new TypeError('cannot read x of undefined');
        return bug;
      }),
    );
    const result = await graphql({ schema, source: 'mutation { make }' });
    const [error] = result.errors ?? [];
    expect(error?.path).toEqual(['make']);
    expect(error?.originalError).toBe(bug);
    expect(error?.stack).toBe(bug?.stack);
    expect(bug?.stack).toMatch(/field-error-locator\.test\.ts/);
  });

  it('leaves an error that already has a path, and a thrown non-error, to graphql-js', async () => {
    const own = new GraphQLError('mine', { path: ['elsewhere'] });
    const passed = await graphql({ schema: locateRootFieldErrors(schemaThrowing(() => own)), source: '{ now }' });
    expect(passed.errors?.[0]).toBe(own);

    const odd = await graphql({ schema: locateRootFieldErrors(schemaThrowing(() => 'a string')), source: '{ later }' });
    expect(odd.errors?.map((e) => [e.message, e.path])).toEqual([['Unexpected error value: "a string"', ['later']]]);
  });

  it('restores Error.stackTraceLimit', async () => {
    const before = Error.stackTraceLimit;
    await graphql({ schema: locateRootFieldErrors(schemaThrowing(() => new Error('x'))), source: '{ now later }' });
    expect(Error.stackTraceLimit).toBe(before);
  });
});
