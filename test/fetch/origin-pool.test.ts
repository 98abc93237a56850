// The per-origin connection set that replaces undici's Pool under the upstream Agent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OriginPool } from '../../src/fetch/origin-pool.js';
import { eventually } from '../helpers/wait.js';

interface Device {
  url: string;
  /** TCP connections accepted. */
  connections: () => number;
  /** Requests in progress right now, and the most there were at once. */
  peak: () => number;
  close: () => Promise<void>;
}

async function device(opts: { delayMs?: number; keepAliveMs?: number } = {}): Promise<Device> {
  let connections = 0;
  let active = 0;
  let peak = 0;
  const server = http.createServer((req, res) => {
    active++;
    peak = Math.max(peak, active);
    setTimeout(() => {
      active--;
      res.end(`{"path":${JSON.stringify(req.url)}}`);
    }, opts.delayMs ?? 0);
  });
  server.keepAliveTimeout = opts.keepAliveMs ?? 5000;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    peak: () => peak,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

let agent: Agent;
const pools: OriginPool[] = [];
beforeEach(() => {
  pools.length = 0;
  agent = new Agent({
    keepAliveTimeout: 30_000,
    factory: (origin, opts) => {
      const pool = new OriginPool(origin, opts);
      pools.push(pool);
      return pool;
    },
  });
});
afterEach(async () => {
  if (!agent.destroyed) await agent.close();
});

const get = async (url: string): Promise<string> => {
  const res = await request(url, { dispatcher: agent });
  return res.body.text();
};

describe('OriginPool', () => {
  it('sends one request after another over one kept-alive connection', async () => {
    const d = await device();
    try {
      for (let i = 0; i < 5; i++) expect(await get(`${d.url}/n${i}`)).toBe(`{"path":"/n${i}"}`);
      expect(d.connections()).toBe(1);
      expect(pools).toHaveLength(1);
      expect(pools[0]!.size).toBe(1);
    } finally {
      await d.close();
    }
  });

  it('opens a connection for each request that finds the others busy, and reuses them afterwards', async () => {
    const d = await device({ delayMs: 50 });
    try {
      await Promise.all([1, 2, 3].map((i) => get(`${d.url}/c${i}`)));
      expect(d.peak()).toBe(3);
      expect(d.connections()).toBe(3);
      // Idle again: three more at once go over the same three connections.
      await Promise.all([4, 5, 6].map((i) => get(`${d.url}/c${i}`)));
      expect(d.connections()).toBe(3);
      // One at a time: still no new connection.
      for (let i = 7; i < 10; i++) await get(`${d.url}/c${i}`);
      expect(d.connections()).toBe(3);
      expect(pools[0]!.size).toBe(3);
    } finally {
      await d.close();
    }
  });

  it('drops connections the device closes while idle; the Agent forgets the origin once the last one goes', async () => {
    const d = await device({ keepAliveMs: 100 });
    try {
      await Promise.all([1, 2].map((i) => get(`${d.url}/k${i}`)));
      const first = pools[0]!;
      await eventually('the device to close the idle connections', () => first.closed);
      expect(first.size).toBe(0);
      expect(first.closed).toBe(true);
      // The next request gets a fresh set and a fresh connection, and works.
      expect(await get(`${d.url}/again`)).toBe('{"path":"/again"}');
      expect(pools).toHaveLength(2);
      expect(d.connections()).toBe(3);
    } finally {
      await d.close();
    }
  });

  it('fails a request to a closed port with the connection error, and the next one tries again', async () => {
    const d = await device();
    const url = d.url;
    await d.close();
    await expect(get(`${url}/x`)).rejects.toThrow(/ECONNREFUSED/);
    await expect(get(`${url}/y`)).rejects.toThrow(/ECONNREFUSED/);
    // Nothing is kept for an origin that never connected.
    for (const p of pools) expect(p.size).toBe(0);
  });

  it('destroys its connections with the Agent', async () => {
    const d = await device({ delayMs: 5000 });
    try {
      const pending = get(`${d.url}/slow`);
      await eventually('the request to reach the device', () => d.connections() > 0);
      await agent.destroy(new Error('shutting down'));
      await expect(pending).rejects.toThrow(/shutting down/);
      expect(pools[0]!.destroyed).toBe(true);
    } finally {
      await d.close();
    }
  });

  it('once closed, refuses new requests and says nothing more to the Agent, while its last request still completes', async () => {
    const d = await device({ delayMs: 200 });
    const pool = new OriginPool(d.url, {});
    const events: string[] = [];
    pool.on('connect', () => events.push('connect'));
    pool.on('disconnect', () => events.push('disconnect'));
    pool.on('connectionError', () => events.push('connectionError'));
    try {
      const pending = request(`${d.url}/last`, { dispatcher: pool }).then((r) => r.body.text());
      await eventually('the pool to connect', () => events.length > 0);
      expect(events).toEqual(['connect']);
      const closing = pool.close();
      await expect(request(`${d.url}/late`, { dispatcher: pool })).rejects.toThrow(/closed/i);
      // The Agent has a new set for the origin by now: the old Client's disconnect is not for it.
      expect(await pending).toBe('{"path":"/last"}');
      await closing;
      expect(events).toEqual(['connect']);
    } finally {
      await d.close();
    }
  });
});
