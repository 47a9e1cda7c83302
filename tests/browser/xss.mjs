// XSS check: visits each page with traps set for the test payloads (which call `alert(...)` or set
// `window.__pwned`) and fails if any payload ran. It also audits each page's DOM for markup that
// could run script later (inline handlers, `javascript:` URLs, inline or foreign scripts, frames),
// since some payloads only fire on a click or hover, and, with --search, types each term into the
// search page so payloads that reach the page through the search index are exercised too.
//
//   node tests/browser/xss.mjs <base-url> [--search=term,term] [--search-page=/sok/] <path> ...
//
// Exit codes: 0 nothing ran, 1 a payload ran or unsafe markup was found, 2 the check could not run.

import { launch, parseArgs, open, die, BROKEN } from './lib.mjs';

const { base, flags, paths } = parseArgs('xss.mjs <base-url> [--search=t1,t2] [--search-page=/sok/] <path> ...');
if (paths.length === 0) die('no pages given');
const searchTerms = flags.search ? String(flags.search).split(',').filter(Boolean) : [];
const searchPage = String(flags['search-page'] ?? '/sok/');

// Runs before any of the page's own scripts: every write to window.__pwned is logged, so a payload
// that sets it and a later one that resets it are both seen.
const TRAP = `(() => {
  const log = [];
  Object.defineProperty(window, '__pwnedLog', { value: log });
  Object.defineProperty(window, '__pwned', { configurable: false, get: () => log[log.length - 1], set: (v) => log.push(String(v)) });
})();`;

/** Runs in the page: everything in the DOM that could execute script. */
function audit(origin) {
  const found = [];
  const describe = (el) => el.outerHTML.slice(0, 160).replace(/\s+/g, ' ');
  const dangerousUrl = (v) => /^(javascript|vbscript|data:text\/html)/i.test(v.replace(/[\u0000-\u0020]/g, ''));
  const dataBlock = /^(application\/(ld\+)?json)$/i;
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) found.push(`inline handler ${name}: ${describe(el)}`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background'].includes(name) && dangerousUrl(attr.value)) {
        found.push(`script URL in ${name}: ${describe(el)}`);
      }
    }
    const tag = el.localName;
    if (tag === 'script') {
      if (el.type && dataBlock.test(el.type)) continue;
      const src = el.getAttribute('src');
      if (!src) found.push(`inline script: ${describe(el)}`);
      else {
        const url = new URL(src, location.href);
        if (url.origin !== origin || !url.pathname.startsWith('/static/')) found.push(`foreign script: ${describe(el)}`);
      }
    }
    if (['iframe', 'frame', 'object', 'embed', 'base', 'applet'].includes(tag)) found.push(`<${tag}>: ${describe(el)}`);
    if (tag === 'meta' && /refresh/i.test(el.getAttribute('http-equiv') || '')) found.push(`meta refresh: ${describe(el)}`);
  }
  return found;
}

const browser = await launch();
const seen = new Set();
const report = (path, what) => {
  const line = `UNSAFE ${path}: ${what}`;
  if (!seen.has(line)) console.log(line);
  seen.add(line);
};
try {
  const context = await browser.newContext();
  await context.addInitScript(TRAP);
  const page = await context.newPage();
  let current = '';
  page.on('dialog', async (dialog) => {
    report(current, `a payload opened a ${dialog.type()} dialog: ${JSON.stringify(dialog.message())}`);
    await dialog.dismiss().catch(() => {});
  });
  page.on('console', (msg) => {
    const text = msg.text();
    // A Content-Security-Policy report means a payload reached the page and only the policy
    // stopped it: the sanitiser failed even if nothing ran.
    if (/Content Security Policy/i.test(text)) report(current, `CSP blocked something: ${text}`);
    else if (msg.type() === 'error') console.log(`note ${current}: console error: ${text} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => console.log(`note ${current}: uncaught ${err.message}`));

  const judge = async (path) => {
    // Give timers and image error handlers a moment.
    await page.waitForTimeout(150);
    const log = await page.evaluate(() => window.__pwnedLog.slice());
    for (const v of log) report(path, `a payload set window.__pwned = ${JSON.stringify(v)}`);
    for (const f of await page.evaluate(audit, new URL(base).origin)) report(path, f);
  };

  for (const path of paths) {
    current = path;
    try {
      await open(page, base + path);
    } catch (e) {
      console.error(`error: ${e.message}`);
      process.exitCode = BROKEN;
      continue;
    }
    await judge(path);

    if (path === searchPage && searchTerms.length > 0) {
      for (const term of searchTerms) {
        current = `${path} (search "${term}")`;
        const q = page.locator('#q');
        if ((await q.count()) === 0) {
          console.error(`error: ${path} has no #q search field`);
          process.exitCode = BROKEN;
          break;
        }
        await q.fill('');
        await q.pressSequentially(term, { delay: 10 });
        await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
        await page.waitForTimeout(300);
        const hits = await page.locator('#results a').count();
        console.log(`search "${term}": ${hits} result links`);
        await judge(current);
      }
    }
    console.log(`checked ${path}`);
  }
} finally {
  await browser.close();
}

console.log(`xss: ${paths.length} pages, ${seen.size} problems`);
if (process.exitCode !== BROKEN && seen.size > 0) process.exitCode = 1;
