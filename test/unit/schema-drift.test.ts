import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { schemaSdl } from '../../src/schema';

describe('schema/schema.graphql', () => {
  it('matches the schema the resolvers build (run `npm run schema` after changing them)', async () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8');
    expect(await schemaSdl()).toBe(committed);
  });

  it('has the names the contract binds', async () => {
    const sdl = await schemaSdl();
    const mutations = buildSchema(sdl).getMutationType()!.getFields();
    for (const [name, input, payload] of [
      ['createServiceAccount', 'CreateServiceAccountInput!', 'CreateServiceAccountPayload'],
      ['createUser', 'CreateUserInput!', 'CreateUserPayload'],
    ]) {
      const field = mutations[name];
      expect(String(field.type)).toBe(payload);
      expect(Object.fromEntries(field.args.map((a) => [a.name, `${String(a.type)} = ${String(a.defaultValue)}`]))).toEqual({
        input: `${input} = undefined`,
        dryRun: 'Boolean = false',
      });
    }
    for (const s of [
      'union ServiceAccountResult = ServiceAccountCreated | ProviderFailure',
      'union UserResult = UserCreated | ProviderFailure',
      'providers: [Provider!]!',
      'viewer: Client',
    ]) {
      expect(sdl).toContain(s);
    }
    expect(sdl).toMatch(
      /enum ProviderErrorCode \{\s+CONFLICT\s+BAD_REQUEST\s+UNAUTHORIZED\s+FORBIDDEN\s+NOT_FOUND\s+RATE_LIMITED\s+UNAVAILABLE\s+TIMEOUT\s+UNSUPPORTED\s+INTERNAL\s+\}/,
    );
  });
});
