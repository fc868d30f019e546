import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { defineIntegrationTestSuite } from '@apollo/server-integration-testsuite';
import { graphqlHandler } from '../../src/server/graphql.handler';

/**
 * Apollo's own integration suite, run against the reusable node:http bridge
 * exactly as Apollo runs it against expressMiddleware: the bridge answers
 * every path, the server drains on stop().
 *
 * The suite skips 24 tests on its own: they need the graphql@17 prerelease
 * (@defer/@stream executed for real; INCREMENTAL_DELIVERY_TESTS_ENABLED) and
 * this project is on graphql 16. The mocked incremental-delivery tests,
 * which exercise the streaming path of the bridge, do run.
 *
 * The suite is published for 5.5.0 only while the gateway ships
 * @apollo/server 5.5.1; package.json overrides the suite's copy with ours so
 * that its `instanceof ApolloServer` checks hold and it tests the server the
 * gateway really runs.
 */
defineIntegrationTestSuite(async (serverOptions, testOptions) => {
  const httpServer = createServer();
  const server = new ApolloServer({
    ...serverOptions,
    plugins: [...(serverOptions.plugins ?? []), ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await server.start();
  const handle = graphqlHandler(server, { context: async () => (await testOptions?.context?.()) ?? {} });
  httpServer.on('request', (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      res.statusCode = 500;
      res.end(String((err as Error)?.message ?? err));
    });
  });
  await new Promise<void>((resolve) => httpServer.listen({ port: 0, host: '127.0.0.1' }, resolve));
  const { port } = httpServer.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
});
