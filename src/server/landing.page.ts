/** The page loads and runs nothing: text, inline style attributes and links to the health routes. */
export const LANDING_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * GET / when the playground is off (server.playground or server.introspection
 * false): a page that tells a person how to use the API, with no external
 * resources. Its example names the address the page was reached at (the Host
 * header, when it is a plain host[:port]; anything else is never echoed into
 * the page) and, when the gateway requires one, the Authorization header.
 */
export function landingPage(options: { readonly host: string | undefined; readonly authRequired: boolean }): string {
  const host = options.host && /^[A-Za-z0-9.\-:[\]]{1,260}$/.test(options.host) ? options.host : '127.0.0.1:4000';
  const auth = options.authRequired ? ` \\\n  -H 'authorization: Bearer &lt;your API key or token&gt;'` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>identity-gateway</title><link rel="icon" href="data:,"></head>
<body style="font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto">
<h1>identity-gateway</h1>
<p>The GraphQL API is at <code>POST /graphql</code>. Try:</p>
<pre>curl -s http://${host}/graphql -H 'content-type: application/json'${auth} \\
  -d '{"query":"{ providers { id kind capabilities } }"}'</pre>
<p>Health: <a href="/healthz">/healthz</a> · readiness: <a href="/readyz">/readyz</a></p>
</body></html>`;
}
