// Search works in the browser: types a query into #q on the search page, waits for result links
// in #results, and checks that one of them matches a pattern (on its href or its text).
//
//   node tests/browser/search.mjs <base-url> --query=snö --expect=snorojning [--page=/sok/]
//
// Exit codes: 0 a matching result appeared, 1 none did, 2 the check could not run.

import { launch, parseArgs, open, die } from './lib.mjs';

const { base, flags } = parseArgs('search.mjs <base-url> --query=TEXT --expect=REGEX [--page=/sok/]');
if (!flags.query || !flags.expect) die('--query and --expect are required');
const query = String(flags.query);
const expect = new RegExp(String(flags.expect), 'i');
const path = String(flags.page ?? '/sok/');

const browser = await launch();
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  try {
    await open(page, base + path);
  } catch (e) {
    die(e.message);
  }
  for (const sel of ['#q', '#results', '#status']) {
    if ((await page.locator(sel).count()) !== 1) die(`${path} has no single ${sel}`);
  }
  const label = await page.evaluate(() => {
    const q = document.querySelector('#q');
    return q.labels?.length ? q.labels[0].textContent.trim() : q.getAttribute('aria-label');
  });
  console.log(`search field label: ${JSON.stringify(label)}`);
  await page.locator('#q').pressSequentially(query, { delay: 20 });
  let links = [];
  try {
    await page.waitForSelector('#results a', { timeout: 15_000 });
    await page.waitForTimeout(300);
    links = await page.$$eval('#results a', (as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));
  } catch {
    // No result links: reported below with the page's status text.
  }
  const status = (await page.locator('#status').textContent())?.trim();
  console.log(`status: ${JSON.stringify(status)}`);
  for (const l of links) console.log(`result: ${l.href} ${JSON.stringify(l.text)}`);
  for (const e of errors) console.log(`note: page error: ${e}`);
  const hit = links.find((l) => expect.test(l.href ?? '') || expect.test(l.text));
  if (!hit) {
    console.log(`FAIL: no result for "${query}" matches /${expect.source}/i (${links.length} result links)`);
    process.exitCode = 1;
  } else {
    console.log(`search "${query}": ${links.length} results, e.g. ${hit.href}`);
  }
} finally {
  await browser.close();
}
