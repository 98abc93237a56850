// Redfish BMCs (ports 7981-7989): the DMTF mockups and the HPE and Dell captures.
import { REDFISH_DEVICES } from '../devices.js';
import type { CatalogDevice } from './index.js';

export const REDFISH_CATALOG: CatalogDevice[] = [
  { ...REDFISH_DEVICES['dmtf-rackmount']!, module: 'redfish', demoPort: 7981 },
  { ...REDFISH_DEVICES['hpe-ilo5']!, module: 'redfish', demoPort: 7982 },
  { ...REDFISH_DEVICES['hpe-ilo4']!, module: 'redfish', demoPort: 7983 },
  { ...REDFISH_DEVICES['dell-idrac']!, module: 'redfish', demoPort: 7984 },
  { ...REDFISH_DEVICES['dmtf-tower']!, module: 'redfish', demoPort: 7985 },
  { ...REDFISH_DEVICES['dmtf-bladed']!, module: 'redfish', demoPort: 7986 },
  { ...REDFISH_DEVICES['dmtf-pdu']!, module: 'redfish', demoPort: 7987 },
  { ...REDFISH_DEVICES['dmtf-cooling-unit']!, module: 'redfish', demoPort: 7988 },
];
