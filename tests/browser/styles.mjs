// The archive's stylesheet applies wherever the archive is put: under a path on a web server, or
// opened from disk. For each page: the page loads, its stylesheet is there with rules, and the
// rules apply (the skip link is positioned out of sight, the body has no default margin). With
// --follow, starting from the first page, the script then clicks its way down the archive — the
// menu's archive link, the first month, the first post — checking every page it reaches, so
// relative links are proven by a browser, not just by reading the HTML.
//
//   node tests/browser/styles.mjs <base-url> <path> ...            (http: base + path)
//   node tests/browser/styles.mjs --follow <file:// or http URL>    (click through from there)
//
// Exit codes: 0 every page styled (and every click led to one), 1 some were not, 2 the check
// could not run.

import { launch, die } from './lib.mjs';

const args = process.argv.slice(2);
const follow = args[0] === '--follow';
const rest = follow ? args.slice(1) : args;
if (rest.length === 0) die('usage: styles.mjs <base-url> <path> ... | styles.mjs --follow <url>');

const browser = await launch();
const problems = [];
let checked = 0;

/** Whether the page at `label` is the archive's, styled by its stylesheet. */
async function styled(page, label) {
  const s = await page.evaluate(() => {
    const sheets = [...document.styleSheets];
    let rules = 0;
    let readable = true;
    for (const sheet of sheets) {
      try {
        rules += sheet.cssRules.length;
      } catch {
        // From disk every file is its own origin: the rules exist but cannot be read.
        readable = false;
      }
    }
    const skip = document.querySelector('a.skip');
    return {
      sheets: sheets.length,
      rules,
      readable,
      skip: skip ? getComputedStyle(skip).position : null,
      margin: getComputedStyle(document.body).marginTop,
      h1: document.querySelector('h1')?.textContent?.trim() ?? '',
    };
  });
  checked++;
  const bad = [];
  if (s.sheets === 0) bad.push('no stylesheet');
  if (s.readable && s.rules === 0) bad.push('an empty stylesheet (it did not load)');
  if (s.skip !== 'absolute') bad.push(`the skip link is not positioned (${s.skip})`);
  if (s.margin !== '0px') bad.push(`the body keeps the browser's margin (${s.margin})`);
  if (!s.h1) bad.push('no h1: not an archive page');
  if (bad.length) problems.push(`NOSTYLE ${label}: ${bad.join(', ')}`);
  else console.log(`styled ${label} (${s.sheets} stylesheet${s.sheets === 1 ? '' : 's'}, ${s.readable ? s.rules + ' rules' : 'rules not readable from disk'})`);
}

async function go(page, url) {
  const response = await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
  // A file:// page answers with no HTTP status; an http one must be 2xx.
  if (response && url.startsWith('http') && !response.ok()) throw new Error(`${url}: HTTP ${response.status()}`);
}

/** Clicks the first link matching `selector` and checks the page it leads to. */
async function click(page, selector, what) {
  const link = page.locator(selector).first();
  if ((await link.count()) === 0) {
    problems.push(`NOLINK ${page.url()}: no ${what} (${selector})`);
    return false;
  }
  const href = await link.getAttribute('href');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 30_000 }), link.click()]);
  const url = page.url();
  if (url.startsWith('chrome-error:') || (await page.title()).length === 0) {
    problems.push(`BROKEN ${what} ${href} led to ${url}`);
    return false;
  }
  await styled(page, `${url} (${what}, href="${href}")`);
  return true;
}

try {
  const page = await browser.newPage();
  page.on('pageerror', (err) => console.log(`note: page error: ${err.message}`));
  if (follow) {
    const start = rest[0];
    await go(page, start);
    await styled(page, start);
    (await click(page, '.site-nav a[href*="arkiv/"]', 'archive link in the menu')) &&
      (await click(page, 'ul.months a', 'first month')) &&
      (await click(page, 'ol.post-list a', 'first post of the month')) &&
      (await click(page, '.site-nav a[href*="tags/"]', 'tags link in the menu')) &&
      (await click(page, '.tag-index a', 'first tag')) &&
      (await click(page, '.site-name a', 'the site name (home)'));
  } else {
    const base = rest[0].replace(/\/$/, '');
    for (const path of rest.slice(1)) {
      try {
        await go(page, base + path);
        await styled(page, path);
      } catch (e) {
        problems.push(`BROKEN ${path}: ${e.message}`);
      }
    }
  }
} catch (e) {
  die(e.message);
} finally {
  await browser.close();
}

for (const p of problems) console.log(p);
console.log(`styles: ${checked} pages checked, ${problems.length} problems`);
if (problems.length > 0) process.exitCode = 1;
