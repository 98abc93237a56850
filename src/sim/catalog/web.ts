// nginx, Apache, HAProxy, PHP-FPM (ports 7990-7999)
import type { CatalogDevice } from './index.js';

export const WEB_CATALOG: CatalogDevice[] = [];
