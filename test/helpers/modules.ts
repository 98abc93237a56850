// Probing the simulated devices of the catalog through the shipped configuration.
import { CATALOG, type CatalogDevice } from '../sim/catalog/index.js';
import { startDevice } from '../sim/devices.js';
import { parseSeries, type TestExporter } from './exporter.js';

export function catalogDevice(name: string): CatalogDevice {
  const d = CATALOG.find((c) => c.name === name);
  if (!d) throw new Error(`no device ${name} in test/sim/catalog`);
  return d;
}

export interface DeviceProbe {
  status: number;
  text: string;
  series: Map<string, number>;
  /** Only the device's own series (no probe_* meta-metrics), as exposition lines in order. */
  deviceLines: string[];
  /** Paths the device was asked for. */
  hits: string[];
}

/** Starts the named catalog device, probes it with its module (or `module`), stops it. */
export async function probeCatalogDevice(exporter: TestExporter, name: string, module?: string): Promise<DeviceProbe> {
  const spec = catalogDevice(name);
  const device = await startDevice(spec);
  try {
    const res = await exporter.probe({ module: module ?? spec.module, target: `${device.url}${spec.targetPath ?? ''}` });
    return {
      status: res.status,
      text: res.text,
      series: parseSeries(res.text),
      deviceLines: res.text.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('probe_')),
      hits: device.hits,
    };
  } finally {
    await device.close();
  }
}
