import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';
import { launchChromium, screenshot, watchedPage } from '../helpers/chromium.browser';
import { serveDirectory, type StaticSite } from '../helpers/static.server';

const API_KEY = 'frontend-test-key-0123456789';
const FRONTEND = join(__dirname, '..', '..', 'examples', 'frontend');

describe('examples/frontend calling the gateway across origins in Chromium', () => {
  let browser: Browser;
  let listed: StaticSite;
  let unlisted: StaticSite;
  let h: Harness;
  beforeAll(async () => {
    [browser, listed, unlisted] = await Promise.all([launchChromium(), serveDirectory(FRONTEND), serveDirectory(FRONTEND)]);
    // Same files, two origins (another port is another origin): only the first is listed.
    h = await startHarness({
      configure: (c) => {
        c.server = { ...c.server, cors: { origins: [listed.origin] } };
        c.clients = [{ id: 'web-frontend', keySha256: createHash('sha256').update(API_KEY).digest('hex'), scopes: ['identity:read', 'identity:write'] }];
      },
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([h?.close(), listed?.close(), unlisted?.close()]);
  });

  const open = (site: StaticSite, name: string) => `${site.origin}/index.html#${new URLSearchParams({ gateway: h.url, key: API_KEY, name, run: '1' })}`;

  it('from a listed origin, the page creates the account with a bearer token and shows one row per provider', async () => {
    const gatewayOrigin = new URL(h.url).origin;
    const w = await watchedPage(browser, [listed.origin, gatewayOrigin]);
    await w.page.goto(open(listed, uniqueName('web')));
    await w.page.locator('#status[data-done]').waitFor({ timeout: 15_000 });
    expect(await w.page.locator('#status').innerText()).toBe('status: SUCCEEDED');
    const rows = await w.page.locator('#results tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].slice(0, 2).map((td) => td.textContent)));
    expect(rows).toEqual([
      ['hoop', 'created'],
      ['unleash', 'created'],
      ['versori', 'created'],
      ['generic', 'created'],
    ]);
    // The one-time secrets are on the page (they exist in this answer only): Unleash's PAT, Versori's client id and secret.
    const credentials = await w.page.locator('#results tbody tr td:nth-child(4)').allInnerTexts();
    expect(credentials[1]).toMatch(/^PERSONAL_ACCESS_TOKEN: \S{8,}$/);
    expect(credentials[2]).toMatch(/^CLIENT_SECRET: \S+: \S{8,}$/);
    await screenshot(w.page, 'frontend-listed-origin');
    // The key came in the fragment: it is gone from the address bar (and history), so a reload does not create again.
    expect(new URL(w.page.url()).hash).toBe('');
    expect(w.page.url()).not.toContain(API_KEY);
    expect(w.foreignRequests).toEqual([]);
    expect(w.errors).toEqual([]);
    await w.context.close();
  });

  it('from an unlisted origin, the browser blocks the response: fetch rejects and nothing is shown', async () => {
    const w = await watchedPage(browser, [unlisted.origin, new URL(h.url).origin]);
    await w.page.goto(open(unlisted, uniqueName('web')));
    await w.page.locator('#status[data-done]').waitFor({ timeout: 15_000 });
    expect(await w.page.locator('#status').innerText()).toBe('failed: Failed to fetch');
    expect(await w.page.locator('#results').isHidden()).toBe(true);
    // Chromium says why, in the console.
    expect(w.errors.join('\n')).toMatch(/CORS policy/);
    await w.context.close();
  });
});
