import { playgroundAssetUrl } from './static.assets';

export interface PlaygroundPageOptions {
  /** Per-response nonce: the one inline script (the boot code) runs, nothing injected does. */
  readonly nonce: string;
  /** Path of the GraphQL endpoint, same origin as the page. */
  readonly endpoint: string;
  /** When the gateway requires an API key, the headers editor opens with a template for it. */
  readonly authRequired: boolean;
  readonly providerIds: readonly string[];
  /** Lets each page load propose a fresh account name. */
  readonly now?: Date;
}

export function playgroundCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    // GraphiQL and CodeMirror set element styles at run time.
    "style-src 'self' 'unsafe-inline'",
    // GraphiQL's fonts and icons are data: URLs inside its stylesheet.
    "font-src 'self' data:",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const EXAMPLE_MUTATION = `# One service account on every provider that can:
#   {{providers}}
# Run it with the button (or Ctrl-Enter).
#
# The secrets in the answer are shown once: copy
# them before you run anything again (the next
# answer replaces this one, and nothing keeps them).
#
# Run it again unchanged: a CONFLICT error, no
# provider called twice. That is idempotency: the
# same input has the same (derived) key. Change
# "name" in Variables to create another account.
mutation CreateServiceAccount($input: CreateServiceAccountInput!) {
  createServiceAccount(input: $input) {
    idempotencyKey
    status
    results {
      __typename
      ... on ServiceAccountCreated {
        provider { id kind }
        replayed
        account { id name displayName }
        credentials { kind clientId secret expiresAt }
      }
      ... on ProviderFailure {
        provider { id kind }
        code
        message
        retryable
      }
    }
  }
}
`;

const PLAN_QUERY = `# A dry run of the mutation in the first tab, with the same
# variables: what it would send where, and what the idempotency
# store says, with nothing claimed, guarded or sent.
query PlanServiceAccount($input: CreateServiceAccountInput!) {
  planServiceAccount(input: $input) {
    idempotencyKey
    keyState
    wouldSend
    targets {
      provider { id }
      action
      naturalKey
      guard
      message
      request { method url headerNames bodyJson }
    }
  }
}
`;

const AUDIT_QUERY = `# Who created what, where and when (needs the identity:audit scope).
query AuditEvents {
  auditEvents(first: 10) {
    edges { node { at clientId operation idempotencyKey status targets { providerId result id code } } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

const PROVIDERS_QUERY = `# Who you are, and the providers this gateway creates accounts on.
query Providers {
  viewer { id scopes }
  providers { id kind capabilities health { state } }
}
`;

const AUTH_HINT =
  'This gateway requires an API key: put {"Authorization": "Bearer <your API key>"} in the Headers editor below, then run again (the schema re-fetch button is in the left sidebar).';

export function playgroundPage(options: PlaygroundPageOptions): string {
  const now = options.now ?? new Date();
  const name = `playground-${now.getTime().toString(36)}`;
  const headers = options.authRequired ? JSON.stringify({ Authorization: 'Bearer <your API key>' }, null, 2) : '';
  const variables = JSON.stringify({ input: { name, displayName: 'Playground example', description: 'created from the GraphiQL playground' } }, null, 2);
  const config = {
    endpoint: options.endpoint,
    authRequired: options.authRequired,
    authHint: AUTH_HINT,
    tabs: [
      {
        query: EXAMPLE_MUTATION.replace('{{providers}}', options.providerIds.join(', ')),
        variables,
        headers,
      },
      { query: PLAN_QUERY, variables, headers },
      { query: AUDIT_QUERY, headers },
      { query: PROVIDERS_QUERY, headers },
    ],
  };
  const nonce = options.nonce;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>identity-gateway playground</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${playgroundAssetUrl('graphiql.min.css')}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading the playground…</div>
<script type="application/json" id="playground-config">${jsonForScript(config)}</script>
<script src="${playgroundAssetUrl('react.production.min.js')}"></script>
<script src="${playgroundAssetUrl('react-dom.production.min.js')}"></script>
<script src="${playgroundAssetUrl('graphiql.min.js')}"></script>
<script nonce="${nonce}">${BOOT_SCRIPT}</script>
</body>
</html>
`;
}

/**
 * With an API key required, a request without a usable Authorization header
 * is answered in the page: the 401 it would get tells less than the hint, and
 * the schema fetch on load would otherwise fail before anyone could type a key.
 * GraphiQL keeps headers per tab: a tab still holding the placeholder (and
 * only such a tab: one whose header was removed or changed gets the hint)
 * sends the key last sent from another tab (kept in the page's memory only, never
 * in storage), so the key is typed once, not once per tab.
 */
const BOOT_SCRIPT = `
(function () {
  var config = JSON.parse(document.getElementById('playground-config').textContent);
  // One answer per run, not a stream: GraphiQL's Stop (a second click on Run) cancels a stream it is reading, and
  // the create it started then finishes unseen, its one-time credentials shown nowhere.
  var post = GraphiQL.createFetcher({ url: config.endpoint, enableIncrementalDelivery: false });
  // GraphiQL shows only the latest run's answer (an earlier run's is dropped when it arrives), in whichever tab
  // is open then. So a run while a mutation is on its way (Ctrl-Enter again, the plan tab run during the create,
  // an edited create) is not sent: it gets that mutation's answer, the only copy of its one-time secrets, and a
  // note saying so; run again to send it. The same request again gets the same answer without the note.
  // GraphiQL's own schema fetch (IntrospectionQuery) is always sent.
  var running = {};
  var mutation = null;
  var NOT_SENT = 'This run was not sent: a mutation was still running, and this is its answer, shown here so that ' +
    'its one-time credentials are not lost. Copy them, then run again to send yours.';
  // Comments and strings are not the document's words ("A dry run of the mutation" in the plan tab's comment).
  function isMutation(params) {
    var words = String(params.query || '').replace(/"""(?:\\\\"""|[\\s\\S])*?"""|"(?:[^"\\\\\\n]|\\\\.)*"|#[^\\n]*/g, ' ');
    return /(^|[^A-Za-z0-9_])mutation([^A-Za-z0-9_]|$)/.test(words);
  }
  // The note first, where the answer's top is on screen: GraphiQL prints keys in their order.
  function withNote(answer) {
    if (!answer || typeof answer !== 'object') return answer;
    var out = { extensions: Object.assign({ playground: NOT_SENT }, answer.extensions) };
    Object.keys(answer).forEach(function (k) {
      if (k !== 'extensions') out[k] = answer[k];
    });
    return out;
  }
  function send(params, opts) {
    var key = JSON.stringify([params, (opts && opts.headers) || null]);
    if (running[key]) return running[key];
    if (mutation && params.operationName !== 'IntrospectionQuery') return mutation.then(withNote);
    var answer = Promise.resolve(post(params, opts));
    running[key] = answer;
    if (isMutation(params)) mutation = answer;
    var done = function () {
      delete running[key];
      if (mutation === answer) {
        mutation = null;
        notice.style.display = 'none';
      }
    };
    answer.then(done, done);
    return answer;
  }
  var lastKey;
  function usableAuthorization(headers) {
    var found;
    Object.keys(headers || {}).forEach(function (k) {
      if (k.toLowerCase() === 'authorization' && /^\\s*Bearer\\s+[^\\s<>]+\\s*$/i.test(String(headers[k]))) found = String(headers[k]);
    });
    return found;
  }
  function holdsPlaceholder(headers) {
    return Object.keys(headers || {}).some(function (k) {
      return k.toLowerCase() === 'authorization' && String(headers[k]).indexOf('<your API key>') !== -1;
    });
  }
  function withKey(headers, key) {
    var out = {};
    Object.keys(headers || {}).forEach(function (k) {
      if (k.toLowerCase() !== 'authorization') out[k] = headers[k];
    });
    out.Authorization = key;
    return out;
  }
  // Some runs never reach the fetcher: GraphiQL counts a run, then refuses Variables or Headers that are not
  // JSON (half-typed) in its own words, and the mutation's answer, arriving later, is dropped as stale. So while
  // a mutation is on its way, the Run button and Ctrl/Cmd-Enter do nothing but say why; its answer is shown
  // where GraphiQL puts it, in the tab open when it arrives.
  var notice = document.createElement('div');
  notice.setAttribute('role', 'status');
  notice.id = 'playground-notice';
  notice.textContent = 'A create is still running: its answer, with one-time credentials, is shown here when it arrives. Run again after that.';
  Object.assign(notice.style, {
    display: 'none', position: 'fixed', bottom: '1rem', left: '50%', transform: 'translateX(-50%)', zIndex: '1000',
    padding: '0.6rem 1rem', borderRadius: '6px', background: '#3a3a3a', color: '#fff', font: '14px system-ui, sans-serif',
  });
  document.body.appendChild(notice);
  function holdRun(event) {
    if (!mutation) return;
    var runKey = event.type === 'keydown' && event.key === 'Enter' && (event.ctrlKey || event.metaKey);
    var runClick = event.type !== 'keydown' && event.target && event.target.closest && event.target.closest('.graphiql-execute-button');
    if (!runKey && !runClick) return;
    event.preventDefault();
    event.stopPropagation();
    notice.style.display = 'block';
  }
  ['keydown', 'pointerdown', 'mousedown', 'click'].forEach(function (type) {
    window.addEventListener(type, holdRun, true);
  });
  var fetcher = config.authRequired
    ? function (params, opts) {
        var headers = opts && opts.headers;
        var key = usableAuthorization(headers);
        if (key) lastKey = key;
        // Only a tab that still holds the placeholder: one whose header was emptied or changed sends what it says.
        else if (lastKey && holdsPlaceholder(headers)) return send(params, Object.assign({}, opts, { headers: withKey(headers, lastKey) }));
        if (key) return send(params, opts);
        // Answered in the page, but still the latest run: a mutation on its way keeps the screen (see send).
        if (mutation && params.operationName !== 'IntrospectionQuery') return mutation.then(withNote);
        return Promise.resolve({ errors: [{ message: config.authHint }] });
      }
    : send;
  // A password typed into the variables (createUser's hoop.password) is kept as "" wherever GraphiQL stores
  // variables: a run of a restored tab is then refused (must not be empty) instead of sending a stale secret.
  // The text is edited in place, so a variables editor holding half-typed JSON (a value still being typed,
  // up to the end of its line) is covered too.
  function withoutPasswords(text) {
    if (typeof text !== 'string') return text;
    var out = text.replace(/("password"\\s*:\\s*)"(?:[^"\\\\\\n]|\\\\.)*(?:"|\\\\?$)/gim, '$1""');
    // A key the text spells another way ("pass\\u0077ord") is still the key JSON reads: blanked in the parsed value.
    try {
      var found = false;
      var parsed = JSON.parse(out, function (k, v) {
        if (k.toLowerCase() === 'password' && typeof v === 'string' && v !== '') {
          found = true;
          return '';
        }
        return v;
      });
      if (found) out = JSON.stringify(parsed, null, 2);
    } catch (e) {}
    return out;
  }
  // A password in the query text comes in ways no pattern follows (inline, a variable named otherwise, a default
  // value, a block string with escaped quotes): a query that mentions one is stored with every string emptied
  // (one still being typed up to the end of its line too), and its variables too. The tab restored after a
  // reload then asks for the values again.
  function mentionsPassword(query) {
    return /password/i.test(String(query || ''));
  }
  function withoutStrings(text) {
    if (typeof text !== 'string') return text;
    return text.replace(/"""(?:\\\\"""|[\\s\\S])*?(?:"""|$(?![\\s\\S]))|"(?:[^"\\\\\\n]|\\\\.)*(?:"|\\\\?$)/gm, '""');
  }
  function withoutStringValues(json) {
    if (typeof json !== 'string') return json;
    try {
      return JSON.stringify(JSON.parse(json, function (k, v) { return typeof v === 'string' ? '' : v; }), null, 2);
    } catch (e) {
      return json.replace(/(:\\s*)"(?:[^"\\\\\\n]|\\\\.)*(?:"|\\\\?$)/gm, '$1""');
    }
  }
  function storedQuery(query) {
    return mentionsPassword(query) ? withoutStrings(query) : query;
  }
  function storedVariables(variables, query) {
    return mentionsPassword(query) ? withoutStringValues(variables) : withoutPasswords(variables);
  }
  // GraphiQL's history keeps each run's headers (an API key) in localStorage whatever shouldPersistHeaders
  // says: everything it stores goes through this, which drops headers from stored lists (history,
  // favourites) and never stores the headers editor. What an earlier version stored is cleaned on load.
  // Tabs keep their headers field (GraphiQL discards a stored tab without one); it holds null, as headers
  // are not persisted.
  function cleaned(value, dropHeaders) {
    try {
      var parsed = JSON.parse(value);
      if (!parsed || typeof parsed !== 'object') return withoutPasswords(value);
      Object.keys(parsed).forEach(function (k) {
        if (Array.isArray(parsed[k])) parsed[k] = parsed[k].map(function (item) {
          if (!item || typeof item !== 'object') return item;
          var copy = Object.assign({}, item);
          if (dropHeaders) delete copy.headers;
          if ('variables' in copy) copy.variables = storedVariables(copy.variables, copy.query);
          if ('query' in copy) copy.query = storedQuery(copy.query);
          return copy;
        });
      });
      return JSON.stringify(parsed);
    } catch (e) {
      return withoutPasswords(value);
    }
  }
  function toStore(k, v) {
    if (/^graphiql:(queries|favorites)$/.test(k)) return cleaned(v, true);
    if (k === 'graphiql:tabState') return cleaned(v, false);
    if (k === 'graphiql:query') return storedQuery(v);
    return k === 'graphiql:variables' ? storedVariables(v, local.getItem('graphiql:query')) : v;
  }
  // Site data may be blocked (a browser setting): reading window.localStorage then throws, and the page must
  // still work, with nothing kept across loads.
  var local;
  try { local = window.localStorage; } catch (e) {}
  function graphiqlKeys() {
    return Object.keys(local).filter(function (k) { return k.indexOf('graphiql:') === 0; });
  }
  var storage = local && {
    getItem: function (k) { return local.getItem(k); },
    setItem: function (k, v) {
      if (k === 'graphiql:headers') return;
      local.setItem(k, toStore(k, v));
      // GraphiQL stores each editor on its own: Variables typed before the query that names a password were
      // stored before anything said to empty them.
      if (k !== 'graphiql:query' || !mentionsPassword(v)) return;
      var variables = local.getItem('graphiql:variables');
      if (variables !== null) local.setItem('graphiql:variables', withoutStringValues(variables));
    },
    removeItem: function (k) { local.removeItem(k); },
    get length() { return graphiqlKeys().length; },
    clear: function () { graphiqlKeys().forEach(function (k) { local.removeItem(k); }); },
  };
  if (storage) {
    try {
      // Stored again through the wrapper: it drops the headers.
      local.removeItem('graphiql:headers');
      graphiqlKeys().forEach(function (k) { storage.setItem(k, local.getItem(k)); });
    } catch (e) {}
  }
  var props = {
    fetcher: fetcher,
    // null, not undefined: GraphiQL's default storage is window.localStorage, which throws when site data is blocked.
    storage: storage || null,
    defaultTabs: config.tabs,
    // A tab restored from storage has no headers (they are never stored): it shows these, as a new tab does.
    defaultHeaders: config.tabs[0].headers,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: config.authRequired ? 'headers' : 'variables',
    visiblePlugin: 'Documentation Explorer',
  };
  // The shape GraphiQL itself requires of a stored state before it uses one (anything else it discards).
  function textOrNull(v) {
    return v === null || typeof v === 'string';
  }
  function validTab(t) {
    return !!t && typeof t === 'object' && typeof t.id === 'string' && typeof t.title === 'string' &&
      ['query', 'variables', 'headers', 'operationName', 'response'].every(function (k) { return k in t && textOrNull(t[k]); });
  }
  var stored;
  try {
    var state = JSON.parse((local && local.getItem('graphiql:tabState')) || 'null');
    if (state && typeof state.activeTabIndex === 'number' && Array.isArray(state.tabs) && state.tabs.every(validTab)) {
      stored = state.tabs[state.activeTabIndex];
    }
  } catch (e) {}
  // GraphiQL 3 fills the active tab's editors from these, not from its tabs; with tabs in storage (a reload) it
  // adds a new tab for values that match none of them. So: this load's example with a new name on a first
  // visit, and the stored active tab's own values after a reload.
  if (stored) {
    props.query = stored.query;
    props.variables = stored.variables;
  } else {
    props.variables = config.tabs[0].variables;
    props.headers = config.tabs[0].headers;
  }
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, props));
})();
`;

/** JSON inside a <script> element: no "</script>" or "<!--" can end it early. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
