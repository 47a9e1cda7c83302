// No page may load anything from another host: visits each page (on screen in the light and the
// dark colour scheme, and for print, since each can pull in different stylesheets and images),
// records every request the browser makes, and fails on any whose host is not the server's.
// Requests to other hosts are aborted after they are recorded, so nothing leaves the machine.
//
//   node tests/browser/requests.mjs <base-url> [--search=term] [--search-page=/sok/] <path> ...
//
// Exit codes: 0 all requests local, 1 some went elsewhere, 2 the check could not run.

import { launch, parseArgs, open, die, BROKEN } from './lib.mjs';

const { base, flags, paths } = parseArgs('requests.mjs <base-url> [--search=term] <path> ...');
if (paths.length === 0) die('no pages given');
const host = new URL(base).host;
const searchPage = String(flags['search-page'] ?? '/sok/');
const searchTerm = flags.search ? String(flags.search) : null;

const browser = await launch();
const foreign = new Set();
let requests = 0;
try {
  const context = await browser.newContext();
  let current = '';
  const isLocal = (url) => {
    const u = new URL(url);
    // data: and blob: URLs are made by the page itself; about:blank is the empty page.
    if (['data:', 'blob:', 'about:'].includes(u.protocol)) return true;
    return u.host === host;
  };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    return route.abort('blockedbyclient');
  });
  context.on('request', (req) => {
    requests++;
    if (!isLocal(req.url())) foreign.add(`${current}: ${req.resourceType()} ${req.url()}`);
  });
  const page = await context.newPage();
  page.on('websocket', (ws) => {
    if (!isLocal(ws.url())) foreign.add(`${current}: websocket ${ws.url()}`);
  });
  for (const path of paths) {
    current = path;
    for (const media of [
      { media: 'screen', colorScheme: 'light' },
      { media: 'screen', colorScheme: 'dark' },
      { media: 'print', colorScheme: 'light' },
    ]) {
      await page.emulateMedia(media);
      try {
        await open(page, base + path);
      } catch (e) {
        console.error(`error: ${e.message}`);
        process.exitCode = BROKEN;
        break;
      }
    }
    if (path === searchPage && searchTerm) {
      await page.emulateMedia({ media: 'screen', colorScheme: 'light' });
      await open(page, base + path).catch(() => {});
      const q = page.locator('#q');
      if ((await q.count()) > 0) {
        current = `${path} (search "${searchTerm}")`;
        await q.pressSequentially(searchTerm, { delay: 10 });
        await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
        await page.waitForTimeout(300);
      }
    }
    console.log(`checked ${path}`);
  }
} finally {
  await browser.close();
}

for (const f of foreign) console.log(`FOREIGN ${f}`);
console.log(`requests: ${paths.length} pages, ${requests} requests, ${foreign.size} to other hosts`);
if (process.exitCode !== BROKEN && foreign.size > 0) process.exitCode = 1;
