// The benchmark's simulated upstream, run as its own process so its CPU is not the
// exporter's: every document from memory, on one port of 127.0.0.1 and of W4's 1,000
// loopback addresses (127.0.0.0/8 is all loopback on Linux). Redfish paths answer
// after a fixed delay, so the ideal time of a fan-out can be computed.
//
//   node --import tsx bench/upstream.ts --delay 5     → prints {"port":N} when listening
import http from 'node:http';
import { parseArgs } from 'node:util';
import { listenEverywhere } from './listen.js';
import { largeDocument, manyAddresses, mockupRoutes, smallDocument } from './documents.js';

const { values } = parseArgs({ options: { delay: { type: 'string', default: '5' } } });
const delayMs = Number(values.delay);

const small = smallDocument();
const large = largeDocument();
const mockup = mockupRoutes();
const notFound = Buffer.from(JSON.stringify({ error: { code: 'Base.1.0.ResourceMissingAtURI', message: 'not found' } }));

function send(res: http.ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

/** TCP connections accepted so far, on every address: GET /__stats tells the harness. */
let connections = 0;

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const p = q < 0 ? url : url.slice(0, q);
  if (p === '/small') return send(res, 200, small);
  if (p === '/small-close') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': small.length, connection: 'close' });
    res.end(small);
    return;
  }
  if (p === '/__stats') return send(res, 200, Buffer.from(JSON.stringify({ connections })));
  if (p === '/large') return send(res, 200, large);
  if (p.startsWith('/redfish')) {
    const key = decodeURIComponent(p.length > 1 ? p.replace(/\/+$/, '') : p);
    const doc = mockup.get(key);
    setTimeout(() => send(res, doc ? 200 : 404, doc ?? notFound), delayMs);
    return;
  }
  send(res, 404, notFound);
});
// Idle connections are kept 65 s (announced in Keep-Alive: timeout=65), so that W4's
// round robin finds its connections open however slowly it goes round; /small-close
// answers with Connection: close instead, to measure a fresh connection per probe.
server.keepAliveTimeout = 65_000;

const { port, sockets } = await listenEverywhere(server, ['127.0.0.1', ...manyAddresses()], () => connections++);
process.stdout.write(`${JSON.stringify({ port, addresses: sockets, delayMs })}\n`);
process.on('SIGTERM', () => process.exit(0));
