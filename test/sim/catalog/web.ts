// nginx, Apache, HAProxy, PHP-FPM (ports 7990-7999)
import type { CatalogDevice } from './index.js';

const APACHE = 'apache-mod_status';
// mod_status sends its ?auto page as text/plain in the server's default charset.
const APACHE_TYPE = 'text/plain; charset=ISO-8859-1';

export const WEB_CATALOG: CatalogDevice[] = [
  {
    name: 'nginx',
    module: 'nginx',
    demoPort: 7990,
    routes: { '/nginx_status': { file: 'nginx/nginx-docs-stub_status-example.txt', contentType: 'text/plain' } },
  },
  {
    name: 'apache-2.4.18',
    module: 'apache',
    demoPort: 7991,
    routes: { '/server-status': { file: `${APACHE}/beats-status_apache-2.4.18-Debian.txt`, contentType: APACHE_TYPE } },
  },
  {
    name: 'apache-2.4.23',
    module: 'apache',
    demoPort: 7992,
    routes: { '/server-status': { file: `${APACHE}/beats-status_apache-2.4.23-CentOS6.txt`, contentType: APACHE_TYPE } },
  },
  {
    // Upstream calls the capture 2.4.24; the server in it reports Apache/2.4.25 (Ubuntu).
    name: 'apache-2.4.24',
    module: 'apache',
    demoPort: 7993,
    routes: { '/server-status': { file: `${APACHE}/beats-status_apache-2.4.24-Ubuntu-16.04.txt`, contentType: APACHE_TYPE } },
  },
  {
    // The stats page answers at its `stats uri` (/haproxy?stats); ";csv" is in the query.
    name: 'haproxy',
    module: 'haproxy',
    demoPort: 7994,
    routes: { '/haproxy': { file: 'haproxy/telegraf-sample_output.csv', contentType: 'text/plain' } },
  },
  {
    // /status?json&full: the pool summary and one entry per worker process.
    name: 'php-fpm-full',
    module: 'phpfpm',
    demoPort: 7995,
    routes: { '/status': { file: 'php-fpm/telegraf-phpfpm-full.json', contentType: 'application/json' } },
  },
  {
    // /status?json: the pool summary only.
    name: 'php-fpm-pool',
    module: 'phpfpm',
    demoPort: 7996,
    routes: { '/status': { file: 'php-fpm/beats-pool-docs.json', contentType: 'application/json' } },
  },
];
