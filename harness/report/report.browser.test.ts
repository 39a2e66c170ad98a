// Opens a generated report in headless Chromium: it must render, sort failures first, draw a timeline per
// test with evidence, show hostile container text as text (no script runs) and request nothing from the network.

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { expect } from 'chai';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

import { renderHtml } from './html.js';
import { HOSTILE, syntheticRunRecord } from './test-fixtures.js';

const CHROMIUM = process.env['CMSHA_CHROMIUM'] ?? '/usr/bin/chromium';

describe('HTML report in a browser', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: run the project set-up (npm run setup, which installs the chromium package) or set CMSHA_CHROMIUM to a Chromium binary, then run this test again.`,
      );
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async function () {
    await browser?.close();
  });

  it('renders failures first with timelines, shows hostile text as text and makes no request', async function () {
    const outDir = mkdtempSync(join(tmpdir(), 'cmsha-report-browser-'));
    const record = syntheticRunRecord({ hostile: true });
    const reportPath = join(outDir, 'index.html');
    writeFileSync(reportPath, renderHtml(record));

    const page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });

    // It renders: title and summary numbers.
    expect(await page.title()).to.contain(record.runId);
    expect(await page.textContent('[data-stat="failed"]')).to.equal('1');
    expect(await page.textContent('[data-stat="passed"]')).to.equal('2');
    expect(await page.textContent('[data-stat="flaky"]')).to.equal('0');
    expect(await page.textContent('[data-stat="pending"]')).to.equal('0');

    // Failing test first.
    const outcomes = await page.$$eval('article.test', (articles) => articles.map((a) => a.className));
    expect(outcomes).to.have.length(3);
    expect(outcomes[0]).to.contain('test-failed');
    expect(outcomes.slice(1).every((c) => c.includes('test-passed'))).to.equal(true);

    // Every test with evidence has an SVG timeline with node tracks.
    const timelines = await page.$$eval('article.test', (articles) =>
      articles.map((a) => {
        const svg = a.querySelector('svg.timeline');
        return { hasSvg: svg !== null, text: svg?.textContent ?? '' };
      }),
    );
    for (const timeline of timelines) expect(timeline.hasSvg).to.equal(true);
    expect(timelines[0]!.text).to.contain('cms-primary').and.to.contain('cms-secondary').and.to.contain('HA role').and.to.contain('faults');

    // The failing test's message is visible.
    const failing = page.locator('article.test-failed .error-message');
    expect(await failing.isVisible()).to.equal(true);
    expect(await failing.textContent()).to.contain('cms-secondary became ACTIVE 4.1 s after cms-primary killed; expected 2.0–3.5 s');

    // Nothing hostile ran, and it is shown as text.
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned)).to.equal(undefined);
    const logText = await page.locator('article.test-failed details.logs').textContent();
    expect(logText).to.contain(HOSTILE.logScript).and.to.contain(HOSTILE.logImg);
    expect(await page.locator('article.test-failed .test-title').textContent()).to.contain(HOSTILE.title);
    expect(await failing.textContent()).to.contain(HOSTILE.error);
    expect(await page.locator('article.test-failed details.logs').getAttribute('open')).to.not.equal(null);
    expect(await page.$$('article script, article img, article iframe, script')).to.have.length(0);
    expect(pageErrors).to.deep.equal([]);

    // No request left the page.
    const foreign = requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:'));
    expect(foreign, `requests: ${foreign.join(', ')}`).to.deep.equal([]);

    const screenshot = join(outDir, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`    screenshot: ${screenshot}`);
    console.log(`    report: ${reportPath}`);
    await page.close();
  });
});
