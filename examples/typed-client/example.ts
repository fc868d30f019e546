/** GATEWAY_URL=… API_KEY=… npx ts-node examples/typed-client/example.ts */
import { createServiceAccount } from './gateway.client';

async function main(): Promise<void> {
  const payload = await createServiceAccount(
    { url: process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql', apiKey: process.env.API_KEY ?? '' },
    { name: `typed-${Date.now().toString(36)}`, displayName: 'Typed client example', status: 'ACTIVE' },
  );
  for (const result of payload.results) {
    // The union is narrowed by __typename: each branch sees only its own fields.
    if (result.__typename === 'ServiceAccountCreated') {
      console.log(`${result.provider.id}: created ${result.account.id ?? '(no id given)'}`);
      // The one-time credentials exist in this answer only (a repeat is a CONFLICT): hand them on now.
      for (const c of result.credentials) console.log(`  ${c.kind}${c.clientId ? ` ${c.clientId}` : ''}: ${c.secret}`);
    } else console.log(`${result.provider.id}: ${result.code}${result.retryable ? ' (retryable)' : ''}`);
  }
  console.log(`status: ${payload.status}`);
}

void main();
