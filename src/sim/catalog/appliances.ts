// FortiGate, Fronius, Monit, BIND, NUT (ports 8010-8029)
import type { CatalogDevice } from './index.js';

export const APPLIANCES_CATALOG: CatalogDevice[] = [];
