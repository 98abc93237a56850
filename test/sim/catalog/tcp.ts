// The TCP status ports (ports 8040-8046 in `npm run demo`): NUT upsd, apcupsd NIS,
// memcached, ZooKeeper, Redis and HAProxy's stats socket speaking their real protocols on real captures
// (test/sim/tcp/devices.ts). Not HTTP devices, so a catalog of their own.
import { apcupsd, haproxySocket, memcached, nutVariables, redis, upsd, zookeeper, type SimDevice } from '../tcp/devices.js';

export interface TcpCatalogDevice {
  name: string;
  module: string;
  demoPort: number;
  /** Starts the device on `port` (default: one from the system). */
  start(port?: number): Promise<SimDevice>;
}

export const TCP_CATALOG: TcpCatalogDevice[] = [
  { name: 'nut-cyberpower-cp1500pfclcd', module: 'nut', demoPort: 8040, start: (port) => upsd({ port, upses: { ups: { vars: nutVariables('nut/homeassistant-CP1500PFCLCD.json') } } }) },
  { name: 'nut-eaton-5e650i', module: 'nut', demoPort: 8041, start: (port) => upsd({ port, upses: { ups: { vars: nutVariables('nut/homeassistant-5E650I.json') } } }) },
  { name: 'apcupsd', module: 'apcupsd', demoPort: 8042, start: (port) => apcupsd({ port }) },
  { name: 'memcached-1.6.14', module: 'memcached', demoPort: 8043, start: (port) => memcached({ port }) },
  { name: 'zookeeper-3.4.0', module: 'zookeeper', demoPort: 8044, start: (port) => zookeeper({ port }) },
  { name: 'redis-6.0.9', module: 'redis', demoPort: 8045, start: (port) => redis({ port }) },
  { name: 'haproxy-stats-socket', module: 'haproxy_socket', demoPort: 8046, start: (port) => haproxySocket({ port }) },
];
