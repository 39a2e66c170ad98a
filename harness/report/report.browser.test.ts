// Opens a generated report in headless Chromium: it must render every section (what went wrong, comparison,
// scenarios, sensitivity, trends, executions failures first with timelines), keep hostile text inert and shown as
// text, and request nothing from the network. The screenshot it saves is for a person to look at.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { expect } from 'chai';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

import { scratchDir } from '../testing/scratch-dir.js';
import { renderHtml } from './html.js';
import { HOSTILE, syntheticComparison, syntheticHistory, syntheticRunRecord, syntheticSensitivity } from '../testing/report-fixtures.js';

const CHROMIUM = process.env['CMSHA_CHROMIUM'] ?? '/usr/bin/chromium';

describe('HTML report in a browser', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let page: Page;
  const requests: string[] = [];
  const pageErrors: string[] = [];
  const consoleMessages: string[] = [];
  const record = syntheticRunRecord({ hostile: true });
  const outDir = scratchDir('report-browser');
  const reportPath = join(outDir, 'index.html');

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
    writeFileSync(
      reportPath,
      renderHtml(record, { history: syntheticHistory(), comparison: syntheticComparison(), sensitivity: syntheticSensitivity() }),
    );
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => consoleMessages.push(message.text()));
    await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });
  });

  after(async function () {
    await browser?.close();
  });

  it('renders the header with the counts, flaky as its own outcome', async function () {
    expect(await page.title()).to.contain(record.runId);
    const stat = (name: string) => page.textContent(`[data-stat="${name}"]`);
    expect([
      await stat('failed'),
      await stat('flaky'),
      await stat('passed'),
      await stat('pending'),
      await stat('executions'),
    ]).to.deep.equal(['1', '1', '2', '1', '13']);
    expect(await page.locator('nav.glance li').count()).to.equal(4);
    expect(await page.locator('.run-facts').textContent()).to.contain('npx cmsha run --seed 4242');
  });

  it('shows every section, in order, each visible', async function () {
    const ids = await page.$$eval('main > section', (sections) => sections.map((s) => s.id || s.className));
    expect(ids).to.deep.equal([
      'comparison',
      'scenarios',
      'sensitivity',
      'trends',
      'group group-failed',
      'group group-passed',
      'group group-pending',
    ]);
    for (const id of ['comparison', 'scenarios', 'sensitivity', 'trends'])
      expect(await page.locator(`#${id}`).isVisible(), id).to.equal(true);
    expect(await page.locator('#comparison .regressions li').count()).to.equal(3);
    expect(await page.locator('#sensitivity tbody tr').count()).to.equal(2);
    const trendSizes = await page.$$eval('svg.trend', (svgs) => svgs.map((svg) => svg.getBoundingClientRect().width));
    expect(trendSizes.length).to.equal(11);
    expect(trendSizes.every((w) => w > 100)).to.equal(true);
  });

  it('lists failed executions first, each with its timeline, windows of every kind told apart', async function () {
    const outcomes = await page.$$eval('article.test', (articles) => articles.map((a) => a.className));
    expect(outcomes).to.have.length(13);
    expect(outcomes.slice(0, 4).every((c) => c.includes('test-failed'))).to.equal(true);
    const timelines = await page.$$eval('article.test', (articles) =>
      articles.map((a) => a.querySelector('svg.timeline')?.textContent ?? null),
    );
    expect(timelines.filter((t) => t !== null)).to.have.length(12);
    expect(timelines[0]).to.contain('HA role').and.to.contain('injection (heartbeat cycle)');
    expect(timelines[0])
      .to.contain('window from the protocol event')
      .and.to.contain('window from the fault')
      .and.to.contain('outage budget');
    const failing = page.locator('article.test-failed .error-message').first();
    expect(await failing.isVisible()).to.equal(true);
    expect(await failing.textContent()).to.contain('after the first unanswered heartbeat; expected 2220–2290 ms');
  });

  it('keeps hostile text inert and shows it as text', async function () {
    expect(await page.evaluate(() => Reflect.get(globalThis, '__pwned') as unknown)).to.equal(undefined);
    // A hostile <style> let through would hide the page.
    expect(await page.locator('body').isVisible()).to.equal(true);
    expect(await page.$$('script, img, iframe, object, embed, form, input, link, main style, meta[http-equiv="refresh"]')).to.have.length(
      0,
    );
    const firstFailed = page.locator('article.test-failed').first();
    expect(await firstFailed.locator('details.logs').getAttribute('open')).to.not.equal(null);
    expect(await firstFailed.locator('details.logs').textContent())
      .to.contain(HOSTILE.logScript)
      .and.to.contain(HOSTILE.logImg);
    expect(await firstFailed.locator('.test-title').textContent()).to.contain(HOSTILE.title);
    expect(await firstFailed.locator('.error-message').textContent()).to.contain(HOSTILE.error);
    expect(await firstFailed.locator('.end-state').textContent()).to.contain(HOSTILE.endState);
    expect(await page.locator('#comparison').textContent()).to.contain(HOSTILE.regression);
    expect(await page.locator('#sensitivity').textContent()).to.contain(HOSTILE.sensitivity);
    expect(pageErrors).to.deep.equal([]);
  });

  it('requests nothing from the network', function () {
    const foreign = requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:'));
    expect(foreign, `requests: ${foreign.join(', ')}`).to.deep.equal([]);
    expect(consoleMessages.filter((m) => /Refused|Content Security Policy/i.test(m))).to.deep.equal([]);
  });

  it('saves a full-page screenshot to look at', async function () {
    const screenshot = join(outDir, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`    screenshot: ${screenshot}\n    report: ${reportPath}`);
  });
});
