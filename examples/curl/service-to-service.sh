#!/usr/bin/env bash
# Service-to-service calls with curl: an API key and an Idempotency-Key.
#   API_KEY=… GATEWAY_URL=https://gateway.internal/graphql ./examples/curl/service-to-service.sh
set -euo pipefail
: "${GATEWAY_URL:=http://127.0.0.1:4000/graphql}"
: "${API_KEY:?set API_KEY to your client API key}"
NAME="${NAME:-deploy-bot-$(date +%s)}"
# The key names the intent, not the attempt: every retry of this create reuses it.
IDEMPOTENCY_KEY="${IDEMPOTENCY_KEY:-create-sa-$NAME}"

call() {
  curl -sS --fail-with-body "$GATEWAY_URL" \
    -H "authorization: Bearer $API_KEY" \
    -H 'content-type: application/json' \
    "$@"
  echo
}

echo "# 1. who am I, and which providers are there"
call -d '{"query":"{ viewer { id scopes } providers { id kind } }"}'

echo "# 2. create service account $NAME (Idempotency-Key: $IDEMPOTENCY_KEY)"
body=$(printf '{"query":"mutation Create($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { idempotencyKey status results { __typename ... on ServiceAccountCreated { provider { id } account { id name } credentials { kind clientId secret } } ... on ProviderFailure { provider { id } code message retryable } } } }","variables":{"input":{"name":"%s","description":"created by examples/curl"}}}' "$NAME")
call -H "idempotency-key: $IDEMPOTENCY_KEY" -d "$body"

echo "# 3. the same request again, as a retry after a timeout would send it: CONFLICT, nothing created twice"
call -H "idempotency-key: $IDEMPOTENCY_KEY" -d "$body"
