import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's package: Playwright's own browser downloads are neither wanted nor reachable here. */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Installs Debian's chromium when missing (CI on a fresh machine runs as root). */
export function ensureChromium(): string {
  if (!existsSync(CHROMIUM)) {
    execFileSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], {
      stdio: 'inherit',
      timeout: 600_000,
    });
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is still missing after apt-get install chromium`);
  return CHROMIUM;
}

/**
 * Playwright's launch gives every browser a new temporary profile (user-data-dir)
 * and deletes it on close, and each context has its own storage: GraphiQL's
 * saved tabs from one test never reach another.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: ensureChromium(), headless: true, args: ARGS });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Requests to any origin other than the allowed ones (data: URLs aside). */
  foreignRequests: string[];
  /** Uncaught exceptions and console.error messages. */
  errors: string[];
}

/** A page in a fresh context that records what a person would never want to see. */
export async function watchedPage(browser: Browser, allowedOrigins: readonly string[]): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const watched: WatchedPage = { page, context, foreignRequests: [], errors: [] };
  page.on('request', (r) => {
    const url = r.url();
    if (url.startsWith('data:')) return;
    if (!allowedOrigins.includes(new URL(url).origin)) watched.foreignRequests.push(url);
  });
  page.on('pageerror', (e) => watched.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') watched.errors.push(`console.error: ${m.text()}`);
  });
  return watched;
}

/** Screenshots land in test/artifacts/ (ignored by git) for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(__dirname, '..', 'artifacts');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
