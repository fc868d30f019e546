// No build step: a browser loads this module as it is.
import { createServiceAccount } from './gateway.client.js';

const form = document.getElementById('create');
const status = document.getElementById('status');
const table = document.getElementById('results');

// Values may come in the URL fragment (#gateway=…&key=…&name=…&run=1): a
// fragment is never sent to any server, so a key there stays in this browser.
const preset = new URLSearchParams(location.hash.slice(1));
for (const field of ['gateway', 'key', 'name']) if (preset.has(field)) form.elements[field].value = preset.get(field);
// Read once, then taken out of the address bar and the history: the key must not stay on screen, and a
// reload must not create again.
if (location.hash) history.replaceState(null, '', location.pathname + location.search);
if (!form.elements.name.value) form.elements.name.value = `web-${Date.now().toString(36)}`;

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void run();
});
if (preset.get('run') === '1') void run();

async function run() {
  const { gateway, key, name } = Object.fromEntries(new FormData(form));
  status.textContent = 'Creating…';
  table.hidden = true;
  try {
    const payload = await createServiceAccount({ gateway, key, input: { name, displayName: name } });
    status.textContent = `status: ${payload.status}`;
    // The secrets exist in this answer only: a repeat is a CONFLICT, and the gateway keeps no copy.
    if (payload.results.some((r) => r.credentials?.some((c) => c.secret))) status.dataset.secrets = 'shown once: copy them now';
    render(payload.results);
  } catch (err) {
    // A gateway that does not list this origin is invisible to the page: fetch rejects with a TypeError.
    status.textContent = `failed: ${err.message}`;
  }
  status.dataset.done = 'true';
}

function render(results) {
  const body = table.tBodies[0];
  body.replaceChildren(
    ...results.map((r) => {
      const row = document.createElement('tr');
      row.dataset.provider = r.provider.id;
      const cells =
        r.__typename === 'ServiceAccountCreated'
          ? [r.provider.id, 'created', r.account.id ?? '(no id given)', r.credentials.map(credentialText).join('\n') || '—']
          : [r.provider.id, 'failed', r.code, r.message];
      for (const text of cells) {
        const td = document.createElement('td');
        td.textContent = text;
        row.append(td);
      }
      return row;
    }),
  );
  table.hidden = false;
}

/** A credential as the provider issued it: its kind, the client id beside a client secret, the secret itself. */
function credentialText(c) {
  return [c.kind, c.clientId, c.secret].filter(Boolean).join(': ');
}
