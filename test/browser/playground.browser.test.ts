import { createHash } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/gateway.harness';
import { launchChromium, screenshot, watchedPage, type WatchedPage } from '../helpers/chromium.browser';

const API_KEY = 'playground-test-key-0123456789';

const RESULT = '.result-window';
const EXECUTE = 'button[aria-label^="Execute query"]';

async function schemaLoaded(page: Page, timeout = 15_000): Promise<void> {
  // The docs explorer lists the root types only once introspection succeeded.
  await page.locator('.graphiql-doc-explorer').getByText('Mutation', { exact: true }).first().waitFor({ timeout });
}

async function refetchUntilSchemaLoads(page: Page): Promise<boolean> {
  for (let attempt = 0; attempt < 8; attempt++) {
    await page.click('button[aria-label="Re-fetch GraphQL schema"]');
    try {
      await schemaLoaded(page, 1_000);
      return true;
    } catch {
      // not yet: the header editor's debounce had not passed
    }
  }
  return false;
}

async function runAndReadStatus(page: Page): Promise<string> {
  await page.click(EXECUTE);
  await page.locator(RESULT).getByText('"status"').waitFor({ timeout: 15_000 });
  return page.locator(RESULT).innerText();
}

/** Replaces the text of the open tab's query or variables editor, as a person selecting all and typing would. */
async function replaceEditor(page: Page, editor: 'query' | 'variables', text: string): Promise<void> {
  await page.locator(editor === 'query' ? '.graphiql-query-editor .CodeMirror' : '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

/** Everything the page keeps in localStorage, as `key=value` lines. */
function storedEntries(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const local = (globalThis as unknown as { localStorage: { length: number; key(i: number): string | null; getItem(k: string): string | null } })
      .localStorage;
    return Array.from({ length: local.length }, (_, i) => `${local.key(i)}=${local.getItem(local.key(i)!)}`);
  });
}

/** The page stored what was typed (`kept` is in it), and `secret` nowhere. */
async function expectStoredWithout(page: Page, kept: string, secret: string): Promise<void> {
  const stored = await storedEntries(page);
  expect(stored.filter((entry) => entry.includes(kept)).length).toBeGreaterThan(0);
  expect(stored.filter((entry) => entry.includes(secret))).toEqual([]);
}

function expectNothingForeignOrBroken(w: WatchedPage): void {
  expect(w.foreignRequests).toEqual([]);
  expect(w.errors).toEqual([]);
}

/** The playground of `h` in a fresh watched page, its schema loaded; `before` runs on the context before the page loads. */
async function openPlayground(browser: Browser, h: Harness, before?: (w: WatchedPage) => Promise<unknown>): Promise<WatchedPage> {
  const origin = new URL(h.url).origin;
  const w = await watchedPage(browser, [origin]);
  await before?.(w);
  await w.page.goto(`${origin}/`);
  await schemaLoaded(w.page);
  return w;
}

describe('the GraphiQL playground in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 120_000);
  afterAll(() => browser?.close());

  describe('on a gateway without authentication', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(() => h.close());

    it('loads the schema, runs the example createServiceAccount and shows SUCCEEDED, all from the gateway origin', async () => {
      const w = await openPlayground(browser, h);
      // The example tab is ready to run: a mutation and a variable with a fresh name.
      await expect(w.page.locator('.graphiql-editor').first().innerText()).resolves.toContain('mutation CreateServiceAccount');
      await expect(w.page.locator('.graphiql-editor-tool').innerText()).resolves.toMatch(/"name": "playground-[a-z0-9]+"/);
      const result = await runAndReadStatus(w.page);
      expect(result).toContain('"status": "SUCCEEDED"');
      expect(result).toContain('"__typename": "ServiceAccountCreated"');
      await screenshot(w.page, 'playground-succeeded');

      // Running it again is the idempotency the tab's comment promises: CONFLICT, not a second account.
      await w.page.click(EXECUTE);
      await w.page.locator(RESULT).getByText('"CONFLICT"').waitFor({ timeout: 15_000 });

      // A reload keeps the tabs as they were (GraphiQL stores them): no extra tab for this load's new name, and
      // the example and the plan tab still share one name.
      const tabs = await w.page.locator('.graphiql-tab').count();
      const variables = await w.page.locator('.graphiql-editor-tool').innerText();
      await new Promise((r) => setTimeout(r, 1000)); // GraphiQL stores its tabs after a debounce
      await w.page.reload();
      await schemaLoaded(w.page);
      expect(await w.page.locator('.graphiql-tab').count()).toBe(tabs);
      await expect(w.page.locator('.graphiql-editor-tool').innerText()).resolves.toBe(variables);
      await w.page.locator('.graphiql-tab').getByText('PlanServiceAccount', { exact: true }).click();
      await w.page.locator('.graphiql-query-editor').getByText('query PlanServiceAccount').waitFor({ timeout: 15_000 });
      await expect(w.page.locator('.graphiql-editor-tool').innerText()).resolves.toBe(variables);
      expectNothingForeignOrBroken(w);
      await w.context.close();
    });
    it('a double click on Run still shows the create it started, one-time secrets and all (no Stop that throws the answer away)', async () => {
      const w = await openPlayground(browser, h);
      await w.page.dblclick(EXECUTE);
      await w.page.locator(RESULT).getByText('"status"').waitFor({ timeout: 15_000 });
      const result = await w.page.locator(RESULT).innerText();
      expect(result).toContain('"status": "SUCCEEDED"');
      expect(result).toMatch(/"secret": "[^"]+"/);
      expectNothingForeignOrBroken(w);
      await w.context.close();
    });

    it("Ctrl-Enter twice while a create runs shows that create's answer, secrets and all: one request, not a CONFLICT of itself", async () => {
      const w = await openPlayground(browser, h);
      const before = h.sandboxes.generic.count();
      h.sandboxes.generic.inject({ delayMs: 1500 });
      await w.page.locator('.graphiql-query-editor .CodeMirror').click();
      await w.page.keyboard.press('Control+Enter');
      await new Promise((r) => setTimeout(r, 400));
      await w.page.keyboard.press('Control+Enter');
      await w.page.locator(RESULT).getByText('"status"').waitFor({ timeout: 15_000 });
      const result = await w.page.locator(RESULT).innerText();
      expect(result).toContain('"status": "SUCCEEDED"');
      expect(result).toMatch(/"secret": "[^"]+"/);
      expect(h.sandboxes.generic.count() - before).toBe(1);
      expectNothingForeignOrBroken(w);
      await w.context.close();
    });

    it("while a create is on its way, Run and Ctrl-Enter only say why (the plan tab, half-typed Variables): the create's answer, secrets and all, is shown when it arrives", async () => {
      const w = await openPlayground(browser, h);
      const before = h.sandboxes.generic.count();
      const plansBefore = h
        .logs()
        .split('\n')
        .filter((l) => l.includes('"planServiceAccount"')).length;
      h.sandboxes.generic.inject({ delayMs: 2000 });
      await w.page.click(EXECUTE);
      await new Promise((r) => setTimeout(r, 300));
      // The tour's next step, taken too soon: the plan tab, run while the create still waits for generic.
      await w.page.locator('.graphiql-tab').getByText('PlanServiceAccount', { exact: true }).click();
      await w.page.locator('.graphiql-query-editor').getByText('query PlanServiceAccount').waitFor({ timeout: 15_000 });
      await w.page.click(EXECUTE);
      await w.page.locator('#playground-notice').getByText('A create is still running').waitFor({ timeout: 5_000 });
      // Variables being edited (not JSON yet), then Ctrl-Enter: GraphiQL would count that run and drop the create's answer.
      await w.page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').click();
      await w.page.keyboard.press('End');
      await w.page.keyboard.insertText('{ "half');
      await w.page.keyboard.press('Control+Enter');
      await w.page.locator(RESULT).getByText('"status"').waitFor({ timeout: 15_000 });
      // The whole answer, not only the lines on screen.
      const result = await w.page.evaluate(() =>
        (globalThis as unknown as { document: { querySelector(s: string): { CodeMirror: { getValue(): string } } } }).document
          .querySelector('.result-window .CodeMirror')
          .CodeMirror.getValue(),
      );
      expect(result).toContain('"status": "SUCCEEDED"');
      expect(result).toMatch(/"secret": "[^"]+"/);
      expect(h.sandboxes.generic.count() - before).toBe(1);
      expect(
        h
          .logs()
          .split('\n')
          .filter((l) => l.includes('"planServiceAccount"')).length,
      ).toBe(plansBefore);
      await w.page.locator('#playground-notice').waitFor({ state: 'hidden', timeout: 5_000 });
      expectNothingForeignOrBroken(w);
      await w.context.close();
    });

    it('a password in the query, inline, as a default or in a variable of any name, is never kept in storage: such a query is stored with its strings emptied', async () => {
      const w = await openPlayground(browser, h);
      const password = `pw-${Date.now().toString(36)}-secret`;
      await replaceEditor(
        w.page,
        'query',
        `mutation Inline($pw: String = "${password}-default") { createUser(input: {email: "inline@example.com", providers: ["hoop"], hoop: {password: "${password}-inline", slackId: $pw}}) { status } }`,
      );
      await replaceEditor(w.page, 'variables', JSON.stringify({ pw: `${password}-variable` }));
      await new Promise((r) => setTimeout(r, 800)); // GraphiQL's debounce before the editor's text is its state
      await w.page.click(EXECUTE);
      await w.page.locator(RESULT).getByText('"status"').waitFor({ timeout: 15_000 });
      await new Promise((r) => setTimeout(r, 1000)); // GraphiQL stores its tabs after a debounce
      await expectStoredWithout(w.page, 'mutation Inline', password);
      await w.context.close();
    });

    it('Variables typed before the query that names a password are emptied in storage once that query is stored', async () => {
      const w = await openPlayground(browser, h);
      const password = `pw-${Date.now().toString(36)}-first`;
      await replaceEditor(w.page, 'variables', JSON.stringify({ pw: password }));
      await new Promise((r) => setTimeout(r, 1000)); // stored by itself, before the query below exists
      await replaceEditor(
        w.page,
        'query',
        'mutation First($pw: String!) { createUser(input: {email: "first@example.com", hoop: {password: $pw}}) { status } }',
      );
      await new Promise((r) => setTimeout(r, 1000));
      await expectStoredWithout(w.page, 'mutation First', password);
      await w.context.close();
    });

    it('a password typed into the variables is never kept in storage: it is stored as ""', async () => {
      const w = await openPlayground(browser, h);
      const password = `pw-${Date.now().toString(36)}-secret`;
      await replaceEditor(w.page, 'variables', JSON.stringify({ input: { name: 'pw-test', hoop: { password } } }, null, 2));
      await new Promise((r) => setTimeout(r, 800)); // GraphiQL's debounce before the editor's text is its state
      await w.page.click(EXECUTE); // refused (a service account has no password), but kept in the history
      await w.page.locator(RESULT).getByText('"errors"').waitFor({ timeout: 15_000 });
      await new Promise((r) => setTimeout(r, 1000)); // GraphiQL stores its tabs after a debounce
      await expectStoredWithout(w.page, 'password', password);
      // What the editor shows now is what the person typed: only storage is cleaned.
      await expect(w.page.locator('.graphiql-editor-tool').innerText()).resolves.toContain(password);
      await w.context.close();
    });
  });

  describe('in a browser that blocks site data (localStorage throws)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(() => h.close());

    it('the playground still loads and runs, keeping nothing', async () => {
      const w = await openPlayground(browser, h, (page) =>
        page.context.addInitScript(() => {
          Object.defineProperty(globalThis, 'localStorage', {
            configurable: true,
            get() {
              throw new Error("Failed to read the 'localStorage' property from 'Window': Access is denied for this document.");
            },
          });
        }),
      );
      expect(await runAndReadStatus(w.page)).toContain('"status": "SUCCEEDED"');
      expectNothingForeignOrBroken(w);
      await w.context.close();
    });
  });

  describe('with a stored tab state GraphiQL would not use (another version, or tampered with)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(() => h.close());

    it('opens the example tabs and runs, with no error on the page', async () => {
      const w = await openPlayground(browser, h);
      await w.page.evaluate(() =>
        (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem(
          'graphiql:tabState',
          JSON.stringify({ tabs: [{ query: { a: 1 }, variables: 5 }], activeTabIndex: 0 }),
        ),
      );
      // History an earlier version of the page stored with its headers: cleaned when the page loads.
      await w.page.evaluate(() =>
        (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem(
          'graphiql:queries',
          JSON.stringify({ queries: [{ query: '{ viewer { id } }', headers: '{"Authorization":"Bearer stored-key-0123456789"}' }] }),
        ),
      );
      await w.page.reload();
      await schemaLoaded(w.page);
      await expect(w.page.locator('.graphiql-editor').first().innerText()).resolves.toContain('mutation CreateServiceAccount');
      expect(await runAndReadStatus(w.page)).toContain('"status": "SUCCEEDED"');
      const history = await w.page.evaluate(() =>
        (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('graphiql:queries'),
      );
      expect(history).toContain('{ viewer { id } }');
      expect(history).not.toContain('stored-key-0123456789');
      expectNothingForeignOrBroken(w);
      await w.context.close();
    });
  });

  describe('on a gateway that requires an API key', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        configure: (c) =>
          (c.clients = [{ id: 'playground-user', keySha256: createHash('sha256').update(API_KEY).digest('hex'), scopes: ['identity:read', 'identity:write'] }]),
      });
    });
    afterAll(() => h.close());

    it('opens the headers editor with a hint; with the key typed in, the schema loads and the example succeeds', async () => {
      const origin = new URL(h.url).origin;
      const w = await watchedPage(browser, [origin]);
      await w.page.goto(`${origin}/`);
      const headers = w.page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)');
      await expect(headers.innerText()).resolves.toContain('Bearer <your API key>');
      // Without a key the page says what to do instead of sending a request that can only be 401.
      await w.page.locator(RESULT).getByText('requires an API key').waitFor({ timeout: 15_000 });

      await headers.locator('.CodeMirror').click();
      await w.page.keyboard.press('Control+A');
      await w.page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${API_KEY}` }));
      // GraphiQL takes the editor's text into its state after a short debounce: re-fetch as a person would, until it shows.
      await expect(refetchUntilSchemaLoads(w.page)).resolves.toBe(true);
      const result = await runAndReadStatus(w.page);
      expect(result).toContain('"status": "SUCCEEDED"');
      await screenshot(w.page, 'playground-api-key');

      // The other tabs still hold the placeholder: they send the key typed once, not the hint.
      await w.page.locator('.graphiql-tab').getByText('Providers', { exact: true }).click();
      // GraphiQL takes the tab's operation into its state a moment after the switch: run only once it shows.
      await w.page.locator('.graphiql-query-editor').getByText('query Providers').waitFor({ timeout: 15_000 });
      await new Promise((r) => setTimeout(r, 300));
      await expect(w.page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)').innerText()).resolves.toContain('Bearer <your API key>');
      await w.page.click(EXECUTE);
      const answer = () => w.page.locator(RESULT).innerText();
      for (let i = 0; i < 150 && !(await answer()).includes('"playground-user"'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await answer()).toContain('"id": "playground-user"');
      expect(await w.page.locator(RESULT).innerText()).not.toContain('requires an API key');

      // A tab whose header was emptied sends what it says (nothing): the hint, not the remembered key.
      const tabHeaders = w.page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)');
      await tabHeaders.locator('.CodeMirror').click();
      await w.page.keyboard.press('Control+A');
      await w.page.keyboard.insertText('{}');
      await new Promise((r) => setTimeout(r, 800)); // GraphiQL's debounce before the editor's text is its state
      await w.page.click(EXECUTE);
      for (let i = 0; i < 150 && !(await answer()).includes('requires an API key'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await answer()).toContain('requires an API key');

      // After a reload the tabs are the same ones, each showing the placeholder again (headers are never stored).
      await new Promise((r) => setTimeout(r, 1000)); // GraphiQL stores its tabs after a debounce
      // Nor is the key anywhere in storage: GraphiQL's history kept every run's headers.
      const stored = await storedEntries(w.page);
      expect(stored.some((entry) => entry.startsWith('graphiql:queries='))).toBe(true);
      expect(stored.filter((entry) => entry.includes(API_KEY))).toEqual([]);
      await w.page.reload();
      await w.page.locator(RESULT).getByText('requires an API key').waitFor({ timeout: 15_000 });
      expect(await w.page.locator('.graphiql-tab').count()).toBe(4);
      await expect(w.page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)').innerText()).resolves.toContain('Bearer <your API key>');
      expectNothingForeignOrBroken(w);
      await w.context.close();
    });
  });
});
