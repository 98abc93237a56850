// promtool, the linter Prometheus ships, on everything the exporter serves: its own
// /metrics and the /probe output for every simulated Redfish device. A clean lint
// is exit 0 and no output at all.
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CATALOG } from '../sim/catalog/index.js';
import { startDevice, type RunningDevice } from '../sim/devices.js';
import { parseSeries, ROOT, startExporter, type TestExporter } from '../helpers/exporter.js';
import { checkMetrics, promtool, runPromtool } from '../helpers/promtool.js';

// Each test starts processes (node, tsx, chromium, promtool): seconds on a quiet machine,
// many more on a loaded one.
const SLOW = { timeout: 90_000 };


describe('promtool check metrics', SLOW, () => {
  let exporter: TestExporter;
  const devices = new Map<string, RunningDevice>();

  beforeAll(async () => {
    if (!promtool.path) return;
    exporter = await startExporter();
    for (const spec of CATALOG) devices.set(spec.name, await startDevice(spec));
  });
  afterAll(async () => {
    await exporter?.close();
    await Promise.all([...devices.values()].map((d) => d.close()));
  });
  beforeEach((ctx) => promtool.skipIfMissing(ctx));

  it('fails on a counter without _total (the check can fail)', async () => {
    const run = await checkMetrics('# HELP demo_requests Requests served\n# TYPE demo_requests counter\ndemo_requests 3\n');
    expect(run.code).not.toBe(0);
    expect(run.lines).toEqual(['demo_requests counter metrics should have "_total" suffix']);
  });

  it("finds nothing to report in the exporter's own /metrics", async () => {
    // A probe first, so the per-module counter and histogram have series too.
    await exporter.probe({ module: 'redfish', target: devices.get('dmtf-rackmount')!.url });
    const res = await fetch(`${exporter.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('apiprobe_probes_total{module="redfish",result="success"} 1');
    expect(await checkMetrics(text)).toEqual({ code: 0, lines: [] });
  });

  // Every shipped module, against every simulated device of the catalog.
  for (const spec of CATALOG) {
    it(`finds nothing to report in /probe?module=${spec.module} against ${spec.name}`, async () => {
      const res = await exporter.probe({ module: spec.module, target: `${devices.get(spec.name)!.url}${spec.targetPath ?? ''}` });
      expect(res.status).toBe(200);
      // Lint a real answer, with the module's own series, not only the probe's.
      expect([...parseSeries(res.text).keys()].filter((k) => !k.startsWith('probe_')).length).toBeGreaterThan(0);
      expect(await checkMetrics(res.text)).toEqual({ code: 0, lines: [] });
    });
  }
});

describe('promtool check config', SLOW, () => {
  beforeEach((ctx) => promtool.skipIfMissing(ctx));

  it('accepts prometheus.example.yml', async () => {
    const run = await runPromtool(['check', 'config', path.join(ROOT, 'prometheus.example.yml')]);
    expect(run.lines.join('\n')).toContain('SUCCESS');
    expect(run.code).toBe(0);
  });
});
