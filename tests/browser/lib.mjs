// Shared by the browser checks that tests/site_browser.rs runs: launches Debian's Chromium
// through playwright-core (installed in tests/node by `npm ci`; Playwright's own browser download
// does not work on the CI machines, so the browser is always the system one).

import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
export const nodeModules = join(here, '..', 'node', 'node_modules');
const require = createRequire(join(here, '..', 'node', 'package.json'));

export const CHROMIUM = process.env.BUDKAVLE_CHROMIUM || '/usr/bin/chromium';

/** Exit code for "the check could not run" (as opposed to 1: "the check found problems"). */
export const BROKEN = 2;

export function die(msg) {
  console.error(`error: ${msg}`);
  process.exit(BROKEN);
}

function playwright() {
  if (!existsSync(join(nodeModules, 'playwright-core'))) {
    die(`playwright-core is not installed in ${nodeModules}: run \`npm ci --prefix tests/node\``);
  }
  return require('playwright-core');
}

export function axeSource() {
  const path = join(nodeModules, 'axe-core', 'axe.min.js');
  if (!existsSync(path)) die(`axe-core is not installed (${path}): run \`npm ci --prefix tests/node\``);
  return readFileSync(path, 'utf8');
}

/**
 * The flags keep a headless Chromium from reaching for Google's services: this machine's network
 * is closed, and those connections would otherwise be refused many at a time on every start.
 */
export async function launch() {
  if (!existsSync(CHROMIUM)) die(`${CHROMIUM} is missing: run \`apt-get install -y chromium\``);
  const { chromium } = playwright();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** `<script> <base-url> [--flag=value ...] <path> ...` → { base, flags, paths }. */
export function parseArgs(usage) {
  const [base, ...rest] = process.argv.slice(2);
  if (!base || !/^https?:\/\//.test(base)) die(`usage: ${usage}`);
  const flags = {};
  const paths = [];
  for (const a of rest) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (m) flags[m[1]] = m[2] ?? true;
    else paths.push(a);
  }
  return { base: base.replace(/\/$/, ''), flags, paths };
}

/** Opens `url`, failing on anything but a 2xx answer so a missing page cannot pass a check. */
export async function open(page, url) {
  const response = await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
  if (!response) throw new Error(`${url}: no response`);
  if (!response.ok()) throw new Error(`${url}: HTTP ${response.status()}`);
  // Web fonts load when layout first needs them, which can be after `load`; wait for them and
  // for anything started on load, so late requests are seen before a page is judged.
  await page.evaluate(() => document.fonts.ready.then(() => undefined)).catch(() => {});
  await page.waitForTimeout(50);
  return response;
}
