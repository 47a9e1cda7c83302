// Accessibility gate: runs axe-core (WCAG 2.0/2.1 A and AA rules) on each page, in the light and
// the dark colour scheme, and exits 1 if any page has a violation. With --reflow it also opens each
// page 320 CSS pixels wide (WCAG 2.1 1.4.10 Reflow, which axe does not test) and reports a page
// that scrolls sideways, naming the elements that stick out.
//
//   node tests/browser/axe.mjs <base-url> [--schemes=light,dark] [--reflow] <path> ...
//
// Exit codes: 0 no violations, 1 violations (each printed with rule id, help and selectors),
// 2 the check could not run (a page missing, the browser or axe-core not installed).

import { launch, parseArgs, open, axeSource, die, BROKEN } from './lib.mjs';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const { base, flags, paths } = parseArgs('axe.mjs <base-url> [--schemes=light,dark] [--reflow] <path> ...');
if (paths.length === 0) die('no pages given');
const schemes = String(flags.schemes ?? 'light,dark').split(',');
const axe = axeSource();

const browser = await launch();
let violations = 0;
let checked = 0;
try {
  // bypassCSP: a page may forbid inline scripts (the inbox does); axe-core is injected as one.
  const page = await browser.newPage({ bypassCSP: true });
  for (const path of paths) {
    for (const scheme of schemes) {
      await page.emulateMedia({ colorScheme: scheme });
      try {
        await open(page, base + path);
      } catch (e) {
        console.error(`error: ${e.message}`);
        process.exitCode = BROKEN;
        continue;
      }
      await page.addScriptTag({ content: axe });
      const result = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
        TAGS,
      );
      checked++;
      for (const v of result.violations) {
        violations++;
        console.log(`VIOLATION ${path} [${scheme}] ${v.id} (${v.impact}): ${v.help}`);
        console.log(`    ${v.helpUrl}`);
        for (const node of v.nodes) {
          console.log(`    target: ${node.target.join(' ')}`);
          const summary = (node.failureSummary || '').replace(/\s+/g, ' ').trim();
          if (summary) console.log(`      ${summary}`);
        }
      }
      if (result.violations.length === 0) console.log(`ok ${path} [${scheme}]`);
    }
  }
  if (flags.reflow) {
    const narrow = await browser.newPage({ viewport: { width: 320, height: 640 }, bypassCSP: true });
    for (const path of paths) {
      try {
        await open(narrow, base + path);
      } catch (e) {
        console.error(`error: ${e.message}`);
        process.exitCode = BROKEN;
        continue;
      }
      const r = await narrow.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const selector = (el) => el.localName + (el.id ? `#${el.id}` : '') + [...el.classList].map((c) => `.${c}`).join('');
        const wide = [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > width + 1)
          .slice(0, 5)
          .map(selector);
        return { width, scrollWidth: document.documentElement.scrollWidth, wide };
      });
      checked++;
      if (r.scrollWidth > r.width + 1) {
        violations++;
        console.log(`VIOLATION ${path} [320px] reflow (WCAG 1.4.10): the page is ${r.scrollWidth} px wide in a ${r.width} px viewport`);
        for (const t of r.wide) console.log(`    target: ${t}`);
      } else {
        console.log(`ok ${path} [320px]`);
      }
    }
  }
} finally {
  await browser.close();
}

console.log(`axe: ${checked} page loads (${paths.length} pages × ${schemes.join('+')}${flags.reflow ? '+320px' : ''}), ${violations} violations`);
if (process.exitCode !== BROKEN && violations > 0) process.exitCode = 1;
