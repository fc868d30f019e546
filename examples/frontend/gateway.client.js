const CREATE = `mutation Create($input: CreateServiceAccountInput!) {
  createServiceAccount(input: $input) {
    status
    results {
      __typename
      ... on ServiceAccountCreated { provider { id } account { id name } credentials { kind clientId secret } }
      ... on ProviderFailure { provider { id } code message retryable }
    }
  }
}`;

/** One call to the gateway with a bearer token; throws on transport, HTTP and GraphQL errors alike. */
export async function createServiceAccount({ gateway, key, input, idempotencyKey }) {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const res = await fetch(gateway, { method: 'POST', headers, body: JSON.stringify({ query: CREATE, variables: { input } }) });
  const body = await res.json();
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new Error(`${e.extensions?.code ?? res.status}: ${e.message}`);
  }
  return body.data.createServiceAccount;
}
