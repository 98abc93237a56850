// The landing page in a real headless Chromium: run a probe from the form, see its
// debug output, find it in the history, open its log; readable on a phone.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startDevice, type RunningDevice } from '../sim/devices.js';
import { startExporter, tempRoot, type TestExporter } from '../helpers/exporter.js';
import { catalogDevice } from '../helpers/modules.js';
import { requireProgram } from '../helpers/system.js';

// Each test starts processes (node, tsx, chromium, promtool): seconds on a quiet machine,
// many more on a loaded one.
const SLOW = { timeout: 90_000 };

const chromium = requireProgram('chromium', 'apt-get install -y chromium');

let browser: Browser;
let exporter: TestExporter;
let device: RunningDevice;

beforeAll(async () => {
  if (chromium.skipReason) return;
  const { chromium: pw } = await import('playwright-core');
  browser = await pw.launch({
    executablePath: chromium.path,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  exporter = await startExporter();
  device = await startDevice(catalogDevice('nginx'));
});

afterAll(async () => {
  await browser?.close();
  await exporter?.close();
  await device?.close();
});

describe('landing page in Chromium', SLOW, () => {
  it('runs a probe from the form and shows it in the history with its log', async (ctx) => {
    chromium.skipIfMissing(ctx);
    const page = await browser.newPage();
    await page.goto(`${exporter.url}/`);
    expect(await page.title()).toBe('apiprobe');
    expect(await page.locator('#history-empty').textContent()).toBe('No probe yet.');
    // Every shipped module is offered in the form and listed with its description.
    expect(await page.locator('select[name=module] option').count()).toBe(exporter.config.modules.size);
    expect(await page.locator('td', { hasText: 'nginx stub_status' }).count()).toBeGreaterThan(0);

    await page.fill('input[name=target]', device.address);
    await page.selectOption('select[name=module]', 'nginx');
    await Promise.all([page.waitForURL(/\/probe\?/), page.click('button[type=submit]')]);
    const debug = await page.locator('body').innerText();
    expect(debug).toMatch(/^Logs for the probe:/);
    expect(debug).toContain('probe_success 1');
    expect(debug).toContain('nginx_connections_active 291');

    await page.goto(`${exporter.url}/`);
    const rows = page.locator('#history tbody tr');
    expect(await rows.count()).toBe(1);
    const row = await rows.first().innerText();
    expect(row).toContain('nginx');
    expect(row).toContain(device.address);
    expect(row).toContain('success');

    await Promise.all([page.waitForURL(/\/history\/\d+$/), rows.first().locator('a', { hasText: 'log' }).click()]);
    const log = await page.locator('body').innerText();
    expect(log).toMatch(/module nginx, target 127\.0\.0\.1:\d+: success/);
    expect(log).toMatch(/status: GET \/nginx_status -> 200/);
    await page.close();
  });

  it('shows a failed probe as a failure with its reason, and fits a phone screen', async (ctx) => {
    chromium.skipIfMissing(ctx);
    await exporter.probe({ module: 'nginx', target: '127.0.0.1:9' });
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await page.goto(`${exporter.url}/`);
    const failed = page.locator('#history tbody tr.probe-failed');
    expect(await failed.count()).toBe(1);
    expect(await failed.first().innerText()).toContain('failure');
    // No sideways scrolling on a phone.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    // Kept with the run's temporary files (removed when the run ends): set a breakpoint to look.
    await page.screenshot({ path: path.join(tempRoot(), 'landing-phone.png'), fullPage: true });
    await page.close();
  });
});
