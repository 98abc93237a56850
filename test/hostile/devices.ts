// Hostile devices on loopback: a Redfish-like service whose collection links to members
// that each answer a body built to cost the exporter as much as it can (a JSON array of
// empty objects, a CSV of thousands of empty columns).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Device {
  url: string;
  /** Requests answered so far, by path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export type Handler = (path: string, req: http.IncomingMessage, res: http.ServerResponse) => void;

export async function serve(handler: Handler): Promise<Device> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    res.on('error', () => {});
    handler(path, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `[{},{},…]` of about `bytes` bytes. */
export function emptyObjects(bytes: number): Buffer {
  const n = Math.max(1, Math.floor((bytes - 2) / 3));
  return Buffer.from(`[${'{},'.repeat(n - 1)}{}]`);
}

/** A CSV with `columns` named columns and as many rows of empty fields as fit in `bytes`. */
export function emptyColumns(bytes: number, columns = 4000): Buffer {
  const header = Array.from({ length: columns }, (_, i) => `c${i}`).join(',') + '\n';
  const row = ','.repeat(columns - 1) + '\n';
  const rows = Math.max(1, Math.floor((bytes - header.length) / row.length));
  return Buffer.from(header + row.repeat(rows));
}

/**
 * A Redfish service (its root links Systems and Chassis) with `members` systems, each answering `body` as `type`;
 * the chassis collection is empty.
 */
export function redfishBomb(members: number, body: Buffer, type: string): Handler {
  const collection = JSON.stringify({
    '@odata.id': '/redfish/v1/Systems',
    Members: Array.from({ length: members }, (_, i) => ({ '@odata.id': `/redfish/v1/Systems/${i}` })),
  });
  return (path, _req, res) => {
    if (path === '/redfish/v1/' || path === '/redfish/v1') return json(res, '{"Systems":{"@odata.id":"/redfish/v1/Systems"},"Chassis":{"@odata.id":"/redfish/v1/Chassis"}}');
    if (path === '/redfish/v1/Systems') return json(res, collection);
    if (path === '/redfish/v1/Chassis') return json(res, '{"Members":[]}');
    if (path.startsWith('/redfish/v1/Systems/')) {
      res.writeHead(200, { 'content-type': type, 'content-length': body.length });
      res.end(body);
      return;
    }
    res.writeHead(404).end();
  };
}

function json(res: http.ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(text);
}
