/**
 * GET / when the playground is off (server.playground or server.introspection
 * false): a page that tells a person how to use the API, with no external
 * resources.
 */
export function landingPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>identity-gateway</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto">
<h1>identity-gateway</h1>
<p>The GraphQL API is at <code>POST /graphql</code>. Try:</p>
<pre>curl -s http://127.0.0.1:4000/graphql -H 'content-type: application/json' \\
  -d '{"query":"{ providers { id kind capabilities } }"}'</pre>
<p>Health: <a href="/healthz">/healthz</a> · readiness: <a href="/readyz">/readyz</a></p>
</body></html>`;
}
