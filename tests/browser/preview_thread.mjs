// The preview of a thread in a real browser: the card of one platform shows every part, in
// order, each with its own length/limit, all of them visible, and the images' alt text can be
// opened. The expected counts come from the test, which takes them from budkavle's renderer.
//
//   node tests/browser/preview_thread.mjs <base-url> --platform=mastodon --counts=41/500,50/500 \
//        [--alt=text] <path>
//
// Exit codes: 0 as expected, 1 not as expected (each difference printed), 2 could not run.

import { launch, parseArgs, open, die, BROKEN } from './lib.mjs';

const { base, flags, paths } = parseArgs('preview_thread.mjs <base-url> --platform=P --counts=a/b,… [--alt=text] <path>');
if (paths.length !== 1 || !flags.platform || !flags.counts) die('give one path, --platform and --counts');
const expected = String(flags.counts).split(',');

const browser = await launch();
const problems = [];
try {
  const page = await browser.newPage();
  try {
    await open(page, base + paths[0]);
  } catch (e) {
    console.error(`error: ${e.message}`);
    process.exit(BROKEN);
  }
  const card = page.locator(`section[data-platform="${flags.platform}"]`);
  if ((await card.count()) !== 1) problems.push(`no single ${flags.platform} card`);
  const parts = card.locator('li.pv-part');
  const n = await parts.count();
  if (n !== expected.length) problems.push(`${n} parts shown, ${expected.length} expected`);
  for (let i = 0; i < Math.min(n, expected.length); i++) {
    const part = parts.nth(i);
    const shown = (await part.locator('.pv-len').innerText()).trim();
    if (shown !== expected[i]) problems.push(`part ${i + 1}: shows ${shown}, expected ${expected[i]}`);
    if ((await part.getAttribute('data-part')) !== String(i + 1)) problems.push(`part ${i + 1} is out of order`);
    if (!(await part.isVisible())) problems.push(`part ${i + 1} is not visible`);
    const text = (await part.locator('.pv-text').innerText()).trim();
    if (text.length === 0) problems.push(`part ${i + 1} has no text`);
  }
  if (flags.alt) {
    const img = card.locator('img').first();
    if ((await img.getAttribute('alt')) !== flags.alt) problems.push(`the image's alt is not ${flags.alt}`);
    const loaded = await img.evaluate((el) => el.complete && el.naturalWidth > 0);
    if (!loaded) problems.push('the image did not load');
    await card.locator('summary').first().click();
    const readable = await card.locator('details p').first().isVisible();
    if (!readable) problems.push('opening "alt text" does not show it');
  }
} finally {
  await browser.close();
}
for (const p of problems) console.log(`PROBLEM ${p}`);
console.log(`preview_thread: ${expected.length} parts expected, ${problems.length} problems`);
process.exitCode = problems.length ? 1 : 0;
