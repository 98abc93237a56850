// The simulated Redfish services answer $expand as DSP0266 (7.3) specifies it, when
// told to advertise it, and can be slow and narrow like a real BMC.
import { describe, expect, it } from 'vitest';
import { REDFISH_DEVICES, startDevice, type RunningDevice } from './devices.js';

async function get(device: RunningDevice, p: string): Promise<{ status: number; doc: Record<string, unknown> }> {
  const res = await fetch(`${device.url}${p}`);
  return { status: res.status, doc: (await res.json()) as Record<string, unknown> };
}

const members = (doc: Record<string, unknown>): Array<Record<string, unknown>> => doc.Members as Array<Record<string, unknown>>;

describe('simulated Redfish $expand', () => {
  it('advertises ExpandQuery in the service root only when told to', async () => {
    for (const expand of [true, false]) {
      const device = await startDevice({ ...REDFISH_DEVICES['dmtf-rackmount']!, expand });
      try {
        const { doc } = await get(device, '/redfish/v1/');
        const features = doc.ProtocolFeaturesSupported as Record<string, unknown>;
        if (expand) expect(features.ExpandQuery).toEqual({ ExpandAll: true, Levels: true, Links: true, NoLinks: true, MaxLevels: 6 });
        else expect(features).not.toHaveProperty('ExpandQuery');
        // The rest of the root is the mockup's.
        expect(doc.Systems).toEqual({ '@odata.id': '/redfish/v1/Systems' });
      } finally {
        await device.close();
      }
    }
  });

  it('"." expands subordinate references (collection members), not those under Links; one level by default', async () => {
    const device = await startDevice({ ...REDFISH_DEVICES['dmtf-rackmount']!, expand: true });
    try {
      const { doc } = await get(device, '/redfish/v1/Systems?$expand=.');
      const system = members(doc)[0]!;
      expect(system.Id).toBe('437XR1138R2');
      // Level 1 only: the system's own subordinate resources stay references.
      expect(system.Processors).toEqual({ '@odata.id': '/redfish/v1/Systems/437XR1138R2/Processors' });
      // Links are not subordinate.
      expect((system.Links as Record<string, unknown>).Chassis).toEqual([{ '@odata.id': '/redfish/v1/Chassis/1U' }]);
    } finally {
      await device.close();
    }
  });

  it('"~" expands only the references under Links, "*" both, and $levels goes deeper', async () => {
    const device = await startDevice({ ...REDFISH_DEVICES['dmtf-rackmount']!, expand: true });
    try {
      const links = (await get(device, '/redfish/v1/Systems/437XR1138R2?$expand=~')).doc;
      expect(((links.Links as Record<string, unknown>).Chassis as Array<Record<string, unknown>>)[0]!.Id).toBe('1U');
      expect(links.Processors).toEqual({ '@odata.id': '/redfish/v1/Systems/437XR1138R2/Processors' });

      const all = (await get(device, '/redfish/v1/Systems/437XR1138R2?$expand=*')).doc;
      expect(((all.Links as Record<string, unknown>).Chassis as Array<Record<string, unknown>>)[0]!.Id).toBe('1U');
      expect(members(all.Processors as Record<string, unknown>)).toEqual([
        { '@odata.id': '/redfish/v1/Systems/437XR1138R2/Processors/CPU1' },
        { '@odata.id': '/redfish/v1/Systems/437XR1138R2/Processors/CPU2' },
        { '@odata.id': '/redfish/v1/Systems/437XR1138R2/Processors/FPGA1' },
      ]);

      const deep = (await get(device, '/redfish/v1/Systems/437XR1138R2?$expand=.($levels=2)')).doc;
      expect(members(deep.Processors as Record<string, unknown>).map((p) => p.Id)).toEqual(['CPU1', 'CPU2', 'FPGA1']);
      // A reference to a resource the service does not have stays a reference.
      expect(all.Bios).toEqual({ '@odata.id': '/redfish/v1/Systems/437XR1138R2/Bios' });
    } finally {
      await device.close();
    }
  });

  it('refuses a malformed $expand with 400, and ignores $expand when it does not advertise it', async () => {
    const on = await startDevice({ ...REDFISH_DEVICES['dmtf-rackmount']!, expand: true });
    const off = await startDevice({ ...REDFISH_DEVICES['dmtf-rackmount']!, expand: false });
    try {
      expect((await get(on, '/redfish/v1/Systems?$expand=.($levels=9)')).status).toBe(400);
      const ignored = await get(off, '/redfish/v1/Systems?$expand=.');
      expect(ignored.status).toBe(200);
      expect(members(ignored.doc)).toEqual([{ '@odata.id': '/redfish/v1/Systems/437XR1138R2' }]);
    } finally {
      await on.close();
      await off.close();
    }
  });
});

describe('a slow, narrow simulated BMC', () => {
  it('serves at most maxConcurrent requests at once, each after latencyMs', async () => {
    const device = await startDevice({ ...REDFISH_DEVICES['dmtf-rackmount']!, latencyMs: 50, maxConcurrent: 2 });
    try {
      const started = performance.now();
      const statuses = await Promise.all(Array.from({ length: 6 }, () => fetch(`${device.url}/redfish/v1/Systems`).then(async (r) => (await r.arrayBuffer(), r.status))));
      const ms = performance.now() - started;
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
      expect(device.peakConcurrent()).toBe(2);
      // Three rounds of two, 50 ms each.
      expect(ms).toBeGreaterThanOrEqual(145);
    } finally {
      await device.close();
    }
  });
});
