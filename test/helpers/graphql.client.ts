/** Real HTTP requests to a running gateway, as any client would send them. */
export interface GqlResponse<_T = any> {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function gql<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GqlResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = { raw: text };
  }
  return { status: res.status, headers: res.headers, body, text };
}

export const CREATE_SA = /* GraphQL */ `
  mutation Create($input: CreateServiceAccountInput!) {
    createServiceAccount(input: $input) {
      idempotencyKey
      status
      results {
        __typename
        ... on ServiceAccountCreated {
          provider {
            id
            kind
          }
          account {
            id
            name
            displayName
            email
            status
            createdAt
          }
          credentials {
            kind
            id
            clientId
            secret
            expiresAt
          }
          replayed
        }
        ... on ProviderFailure {
          provider {
            id
            kind
          }
          code
          message
          httpStatus
          retryable
          retryAfterSeconds
        }
      }
    }
  }
`;

export const CREATE_USER = /* GraphQL */ `
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      idempotencyKey
      status
      results {
        __typename
        ... on UserCreated {
          provider {
            id
            kind
          }
          user {
            id
            email
            name
            displayName
            username
            status
            createdAt
          }
          credentials {
            kind
            id
            clientId
            secret
            expiresAt
          }
          replayed
        }
        ... on ProviderFailure {
          provider {
            id
            kind
          }
          code
          message
          httpStatus
          retryable
          retryAfterSeconds
        }
      }
    }
  }
`;

/** Results keyed by provider id, for readable assertions. */
export function byProvider(results: any[]): Record<string, any> {
  return Object.fromEntries(results.map((r) => [r.provider.id, r]));
}
