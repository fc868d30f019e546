/**
 * A typed client for TypeScript consumers: the operation, its variables and its
 * result are types generated from schema/schema.graphql, so a schema change
 * that breaks this call breaks the consumer's build, not production.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { CreateServiceAccountDocument, type CreateServiceAccountMutation, type CreateServiceAccountMutationVariables } from './generated/graphql';

export interface GatewayClientOptions {
  /** e.g. https://gateway.internal/graphql */
  readonly url: string;
  readonly apiKey: string;
}

export class GatewayRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown>,
  ) {
    super(message);
  }
}

export async function execute<TResult, TVariables>(
  options: GatewayClientOptions,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  headers: Record<string, string> = {},
): Promise<TResult> {
  const res = await fetch(options.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${options.apiKey}`, ...headers },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await res.json()) as { data?: TResult | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  const error = body.errors?.[0];
  if (error || !body.data) {
    throw new GatewayRequestError(String(error?.extensions?.code ?? res.status), error?.message ?? `HTTP ${res.status}`, error?.extensions ?? {});
  }
  return body.data;
}

/** One typed createServiceAccount; the Idempotency-Key makes a retry safe. */
export async function createServiceAccount(
  options: GatewayClientOptions,
  input: CreateServiceAccountMutationVariables['input'],
  idempotencyKey?: string,
): Promise<NonNullable<CreateServiceAccountMutation['createServiceAccount']>> {
  const data = await execute(options, CreateServiceAccountDocument, { input }, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
  if (!data.createServiceAccount) throw new GatewayRequestError('NO_DATA', 'createServiceAccount returned null', {});
  return data.createServiceAccount;
}
