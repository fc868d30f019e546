/** `npm run schema`: regenerates schema/schema.graphql from the resolvers (a test fails when it drifts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaSdl } from '../src/schema';

schemaSdl()
  .then((sdl) => {
    writeFileSync(join(__dirname, '..', 'schema', 'schema.graphql'), sdl);
    process.stdout.write('schema/schema.graphql written\n');
  })
  .catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
