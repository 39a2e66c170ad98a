// Opens a bench page in headless Chromium: it renders the targets and a chart for every measurement, each chart drawn
// with a row per figure, hostile text stays text, and nothing is requested from anywhere.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { expect } from 'chai';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

import { scratchDir } from '../testing/scratch-dir.js';
import { BENCH_SCHEMA, figureOf, type BenchResult, type Figure, type Measurement } from './figures.js';
import { renderPage } from './page.js';
import { evaluateTargets } from './targets.js';

const CHROMIUM = process.env['CMSHA_CHROMIUM'] ?? '/usr/bin/chromium';
const HOSTILE = '<script>globalThis.__pwned=1</script><img src=x onerror="globalThis.__pwned=2">';

/** A bench of every kind of chart: times of four peers, ratios, signed percentages around a target, single values. */
function syntheticBench(): BenchResult {
  const series = (seed: number, count: number, base: number, spread: number) =>
    Array.from({ length: count }, (_, i) => base + spread * Math.sin(seed + i * 1.7));
  const f = (id: string, measurement: string, label: string, samples: number[], unit: Figure['unit'] = 'ms'): Figure =>
    figureOf({ id, measurement, label, unit, command: `make ${id}` }, samples);
  const measurements: Measurement[] = [
    { id: 'site-up', title: 'Site up', description: 'From the start call to the sunny day.', unit: 'ms' },
    { id: 'site-up-ratio', title: 'Site up, ratios', description: 'Per round.', unit: '×', limit: { value: 1.5, label: '1.5× the floor' } },
    { id: 'fault-bite', title: `Fault bite ${HOSTILE}`, description: HOSTILE, unit: 'ms', limit: { value: 20, label: '20 ms' } },
    { id: 'fidelity', title: 'Timing fidelity', description: 'Signed error.', unit: '% of interval', limit: { value: 5, label: '±5%' } },
    {
      id: 'suite-efficiency',
      title: 'Suite efficiency',
      description: 'One value per setting.',
      unit: '×',
      limit: { value: 1.5, label: '1.5×' },
    },
    { id: 'memory', title: 'Memory', description: 'Per topology.', unit: 'MiB' },
  ];
  const figures = [
    ...['ours', 'compose', 'testcontainers', 'floor'].map((p, i) => f(`site-up.${p}`, 'site-up', p, series(i, 5, 3000 + 300 * i, 200))),
    f('site-up-ratio.ours-floor', 'site-up-ratio', 'ours ÷ floor', series(1, 5, 1.2, 0.1), '×'),
    f('fault-bite.cut', 'fault-bite', HOSTILE, series(2, 100, 0.3, 0.3)),
    f('fault-bite.kill', 'fault-bite', 'kill', series(3, 100, 0.5, 0.5)),
    f('fidelity.protocol', 'fidelity', 'protocol', series(4, 20, 0.1, 0.5), '% of interval'),
    f('fidelity.fault', 'fidelity', 'fault', series(5, 20, -1, 1.5), '% of interval'),
    ...[1, 2, 4, 8].map((p) => f(`suite-efficiency.p${p}`, 'suite-efficiency', `--parallel ${p}`, [1 + p / 4], '×')),
    f('memory.total', 'memory', 'total', series(6, 5, 50, 1), 'MiB'),
  ];
  return {
    schema: BENCH_SCHEMA,
    command: 'cmsha bench --quick --out reports/bench',
    quick: true,
    startedAt: '2026-11-26T00:00:00.000Z',
    endedAt: '2026-11-26T00:01:00.000Z',
    wallMs: 60_000,
    machine: { cores: 2, node: 'v20.20.2', docker: '20.10.24', platform: 'linux x64' },
    images: { standin: 'cmsha/standin:0123456789ab' },
    measurements,
    figures,
    targets: evaluateTargets(figures, 1000),
    notes: [HOSTILE],
  };
}

describe('bench page in a browser', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let page: Page;
  const requests: string[] = [];
  const pageErrors: string[] = [];
  const consoleMessages: string[] = [];
  const bench = syntheticBench();
  const outDir = scratchDir('bench-browser');
  const pagePath = join(outDir, 'index.html');

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: run the project set-up (npm run setup) or set CMSHA_CHROMIUM to a Chromium binary, then run this test again.`,
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
    writeFileSync(pagePath, renderPage(bench));
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => consoleMessages.push(message.text()));
    await page.goto(pathToFileURL(pagePath).href, { waitUntil: 'load' });
  });

  after(async function () {
    await browser?.close();
  });

  it('renders the targets, each with its verdict', async function () {
    expect(await page.locator('#targets').isVisible()).to.equal(true);
    expect(await page.locator('#targets tr[data-target]').count()).to.equal(bench.targets.length);
    expect(await page.locator('#targets .verdict.met').count()).to.be.above(0);
  });

  it('draws a visible chart for every measurement, a row and a dot per sample for each of its figures', async function () {
    const charts = await page.$$eval('svg.chart', (svgs) =>
      svgs.map((svg) => ({
        id: svg.getAttribute('data-measurement'),
        width: svg.getBoundingClientRect().width,
        rows: svg.querySelectorAll('g.row').length,
        dots: svg.querySelectorAll('circle').length,
      })),
    );
    expect(charts.map((c) => c.id)).to.deep.equal(bench.measurements.map((m) => m.id));
    for (const chart of charts) {
      const figures = bench.figures.filter((f) => f.measurement === chart.id);
      expect(chart.width, chart.id!).to.be.above(400);
      expect(chart.rows, chart.id!).to.equal(figures.length);
      expect(chart.dots, chart.id!).to.equal(figures.reduce((total, f) => total + f.samples.length, 0));
    }
    expect(await page.locator('svg.chart[data-measurement="fidelity"] line.limit').count()).to.equal(2);
  });

  it('keeps hostile text inert and shows it as text', async function () {
    expect(await page.evaluate(() => Reflect.get(globalThis, '__pwned') as unknown)).to.equal(undefined);
    expect(await page.$$('script, img, iframe, object, embed, form, link, main style')).to.have.length(0);
    expect(await page.locator('#m-fault-bite h2').textContent()).to.contain(HOSTILE);
    expect(await page.locator('#notes').textContent()).to.contain(HOSTILE);
    expect(pageErrors).to.deep.equal([]);
  });

  it('requests nothing from the network', function () {
    const foreign = requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:'));
    expect(foreign, `requests: ${foreign.join(', ')}`).to.deep.equal([]);
    expect(consoleMessages.filter((m) => /Refused|Content Security Policy/i.test(m))).to.deep.equal([]);
  });

  it('saves a full-page screenshot to look at', async function () {
    const screenshot = join(outDir, 'bench.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`    screenshot: ${screenshot}\n    page: ${pagePath}`);
  });
});
