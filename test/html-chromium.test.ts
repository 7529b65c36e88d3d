// End to end: the report rendered by a real browser (Debian's `chromium` package), headless.
// Console messages come from `--enable-logging=stderr` (`…:CONSOLE…` lines); the rendered DOM
// from `--dump-dom`; the themes from screenshots; the page size from `--print-to-pdf`. The
// page's CSP forbids every fetch, so any reference to an external resource shows up as a
// console error. Without Chromium this suite fails: it never skips.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderHtmlReport } from '../engine/report/html/render.js';
import type { RunReport } from '../engine/state/report-types.js';
import { repoRoot } from './helpers/paths.js';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const dir = mkdtempSync(join(tmpdir(), 'html-report-e2e-'));
const report = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/reports/partial-failure.json'), 'utf8')) as RunReport;

function findChromium(): string {
  for (const candidate of ['chromium', 'chromium-browser']) {
    const r = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return candidate;
  }
  throw new Error(
    "Chromium not found on PATH: this end-to-end suite needs Debian's `chromium` package " +
      '(apt-get update && apt-get install -y chromium)',
  );
}
// Looked up per test, not at import: a missing browser fails each test with the message above.
let chromium: string | undefined;

let profiles = 0;
function browse(page: string, extra: string[]): { stdout: string; console: string[] } {
  const file = join(dir, `page-${++profiles}.html`);
  writeFileSync(file, page);
  const profile = join(dir, `profile-${profiles}`);
  chromium ??= findChromium();
  const r = spawnSync(chromium, [...FLAGS, `--user-data-dir=${profile}`, ...extra, pathToFileURL(file).href], {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.is(r.status, 0, `chromium exited ${r.status}: ${r.stderr}`);
  const consoleLines = r.stderr.split('\n').filter((l) => /:CONSOLE[(:]/.test(l));
  return { stdout: r.stdout, console: consoleLines };
}

/** RGB of the top-left pixel: in the first scanline every PNG filter leaves the first pixel as is. */
function topLeftPixel(png: Buffer): string {
  assert.is(png.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG file');
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('latin1');
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  return `#${raw.subarray(1, 4).toString('hex')}`;
}

test('the console catches a page that references an external resource (the check can fail)', () => {
  const leaky = renderHtmlReport(report).replace('<main>', '<main><img src="https://example.invalid/logo.png" alt="">');
  const { console } = browse(leaky, ['--enable-logging=stderr', '--v=0', '--dump-dom']);
  assert.ok(
    console.some((l) => l.includes('example.invalid')),
    'the CSP violation appears on the console',
  );
});

test('the report renders with no console error and the expected bars in the timeline', () => {
  const { stdout, console } = browse(renderHtmlReport(report), ['--enable-logging=stderr', '--v=0', '--dump-dom']);
  assert.equal(console, []);
  const svg = stdout.match(/<svg class="timeline"[\s\S]*?<\/svg>/)?.[0] ?? '';
  assert.is((svg.match(/<rect class="bar /g) ?? []).length, 13);
  assert.is((svg.match(/<rect class="bar bar-failed"/g) ?? []).length, 4);
  assert.ok(stdout.includes('erp-db02 "replica" &amp; &lt;b&gt;'), 'names stay text in the parsed DOM');
  assert.not.ok(stdout.includes('<b>'));
});

test('the screenshot follows the light and the dark colour scheme', () => {
  const page = renderHtmlReport(report);
  const light = join(dir, 'light.png');
  const dark = join(dir, 'dark.png');
  browse(page, [`--screenshot=${light}`, '--window-size=1600,1000']);
  browse(page, [`--screenshot=${dark}`, '--window-size=1600,1000', '--force-dark-mode']);
  assert.is(topLeftPixel(readFileSync(light)), '#ffffff');
  assert.is(topLeftPixel(readFileSync(dark)), '#0d1117');
});

test('printing gives A4 landscape pages', () => {
  const pdf = join(dir, 'report.pdf');
  browse(renderHtmlReport(report), ['--no-pdf-header-footer', `--print-to-pdf=${pdf}`]);
  const boxes = readFileSync(pdf, 'latin1').match(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g) ?? [];
  assert.ok(boxes.length >= 1);
  for (const box of boxes) {
    const [w, h] = box
      .match(/[\d.]+/g)!
      .slice(2)
      .map(Number) as [number, number];
    assert.ok(Math.abs(w - 842) < 2 && Math.abs(h - 595) < 2, `A4 landscape is 842x595 pt, got ${box}`);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
