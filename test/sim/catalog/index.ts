// Every simulated device the project ships, with the module that reads it and the
// loopback port `npm run demo` gives it. One file per device family.
import type { DeviceSpec } from '../devices.js';
import { REDFISH_CATALOG } from './redfish.js';
import { WEB_CATALOG } from './web.js';
import { SERVICES_CATALOG } from './services.js';
import { APPLIANCES_CATALOG } from './appliances.js';
import { FLEET_CATALOG } from './fleet.js';

export interface CatalogDevice extends DeviceSpec {
  /** The module (or modules, comma-separated) that probes this device. */
  module: string;
  /** Port for `npm run demo`, on 127.0.0.1. */
  demoPort: number;
  /** Path to add to the device URL in the target, for modules with `target: { url: true }`. */
  targetPath?: string;
}

export const CATALOG: CatalogDevice[] = [...REDFISH_CATALOG, ...WEB_CATALOG, ...SERVICES_CATALOG, ...APPLIANCES_CATALOG, ...FLEET_CATALOG];
