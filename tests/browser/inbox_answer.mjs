// An officer answers a citizen in the inbox of `budkavle serve`, in a real browser with
// JavaScript switched off (the inbox's forms are plain HTML): open the queue, follow the link
// to the item, then either pick a reply template and send it, or resolve the item with a note.
// The page after the redirect must say it was done, show the item answered or resolved, and
// list the action in its log.
//
//   node tests/browser/inbox_answer.mjs <base-url> --item=N --mode=reply --template=NAME
//   node tests/browser/inbox_answer.mjs <base-url> --item=N --mode=resolve --note=TEXT
//
// Exit codes: 0 done as expected, 1 a step did not happen (printed), 2 could not run.

import { launch, parseArgs, open, die, BROKEN } from './lib.mjs';

const { base, flags } = parseArgs('inbox_answer.mjs <base-url> --item=N --mode=reply|resolve [--template=NAME] [--note=TEXT]');
const item = flags.item;
const mode = flags.mode;
if (!item || !['reply', 'resolve'].includes(mode)) die('give --item and --mode=reply|resolve');
if (mode === 'reply' && !flags.template) die('--mode=reply needs --template');
if (mode === 'resolve' && !flags.note) die('--mode=resolve needs --note');

const browser = await launch();
const problems = [];
const ok = (what) => console.log(`ok ${what}`);
try {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await open(page, `${base}/inbox/`);
  } catch (e) {
    console.error(`error: ${e.message}`);
    process.exit(BROKEN);
  }
  const link = page.getByRole('link', { name: `Item ${item}`, exact: true });
  if ((await link.count()) !== 1) {
    problems.push(`the queue has no single link "Item ${item}"`);
  } else {
    await Promise.all([page.waitForURL(`${base}/inbox/${item}`), link.click()]);
    ok(`followed the queue's link to item ${item}`);
    const log = page.getByRole('table');
    if (mode === 'reply') {
      const section = page.locator('section', { has: page.getByRole('heading', { name: 'Reply', exact: true }) });
      await section.getByLabel('Template').selectOption({ label: flags.template });
      ok(`picked the template ${flags.template}`);
      await section.getByRole('button', { name: /^Send/ }).click();
    } else {
      const section = page.locator('section', { has: page.getByRole('heading', { name: 'Resolve', exact: true }) });
      await section.getByLabel('Why (for the log)').fill(flags.note);
      await section.getByRole('button', { name: /^Resolve/ }).click();
    }
    await page.waitForLoadState('load');
    if (!page.url().includes(`done=${mode}`)) {
      const said = await page.locator('main').innerText().catch(() => '');
      console.log(`PROBLEM the form did not lead to the item's page; at ${page.url()}:\n${said}`);
      process.exit(1);
    }
    ok(`sent, and redirected to ${page.url().replace(base, '')}`);
    const status = await page.getByRole('status').innerText().catch(() => '');
    if (!/logged/i.test(status)) problems.push(`no message saying it was done (status: "${status}")`);
    else ok(`the page says: ${status}`);
    const body = await page.locator('main').innerText();
    const word = mode === 'reply' ? /Status: Answered/ : /Status: Resolved/;
    if (!word.test(body)) problems.push(`the item is not shown ${mode === 'reply' ? 'answered' : 'resolved'}`);
    else ok(`the item is shown ${mode === 'reply' ? 'answered' : 'resolved'}`);
    const rows = await log.locator('tbody tr').allInnerTexts().catch(() => []);
    const action = mode === 'reply' ? 'reply' : 'resolve';
    const row = rows.find((r) => r.split('\t')[1] === action);
    if (!row) problems.push(`the action log has no ${action} row: ${JSON.stringify(rows)}`);
    else if (mode === 'resolve' && !row.includes(flags.note)) problems.push(`the log's row lacks the note: ${row}`);
    else ok(`the log shows: ${row.replace(/\t/g, ' | ')}`);
    // A reload shows the same page; it does not send the form again.
    await page.reload();
    const again = await page.locator('main').innerText();
    if (!word.test(again)) problems.push('after a reload the item is no longer shown done');
  }
} finally {
  await browser.close();
}
for (const p of problems) console.log(`PROBLEM ${p}`);
if (problems.length > 0) process.exitCode = 1;
