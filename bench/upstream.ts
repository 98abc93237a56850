// The benchmark's simulated upstream, run as its own process so its CPU is not the
// exporter's: every document from memory, on one port of 127.0.0.1 and of W4's 1,000
// loopback addresses (127.0.0.0/8 is all loopback on Linux). Redfish paths answer
// after a fixed delay, so the ideal time of a fan-out can be computed. With --expand the
// Redfish service root advertises $expand and answers it (as test/sim does); without,
// the root says it is not supported, so a probe walks member by member.
//
//   node --import tsx bench/upstream.ts --delay 5 [--expand]    → prints {"port":N} when listening
import http from 'node:http';
import { parseArgs } from 'node:util';
import { listenEverywhere } from './listen.js';
import { largeDocument, manyAddresses, mockupRoutes, smallDocument } from './documents.js';
import { expandRedfish, parseExpand } from '../test/sim/redfish-expand.js';

const { values } = parseArgs({ options: { delay: { type: 'string', default: '5' }, expand: { type: 'boolean', default: false } } });
const delayMs = Number(values.delay);

const small = smallDocument();
const large = largeDocument();
const mockup = mockupRoutes();
{
  const root = JSON.parse(mockup.get('/redfish/v1')!.toString('utf8')) as { ProtocolFeaturesSupported?: Record<string, unknown> };
  const features = { ...root.ProtocolFeaturesSupported };
  if (values.expand) features.ExpandQuery = { ExpandAll: true, Levels: true, Links: true, NoLinks: true, MaxLevels: 6 };
  else delete features.ExpandQuery;
  mockup.set('/redfish/v1', Buffer.from(JSON.stringify({ ...root, ProtocolFeaturesSupported: features })));
}
/** Expanded answers, built once each (the documents never change). */
const expanded = new Map<string, Promise<Buffer | undefined>>();
function expandedDoc(key: string, expand: string): Promise<Buffer | undefined> {
  const id = `${key}?${expand}`;
  let doc = expanded.get(id);
  if (!doc) {
    const how = parseExpand(expand);
    const base = mockup.get(key);
    const lookup = (ref: string): Promise<Record<string, unknown> | undefined> => {
      const found = mockup.get(new URL(ref, 'http://device').pathname.replace(/\/+$/, ''));
      return Promise.resolve(found ? (JSON.parse(found.toString('utf8')) as Record<string, unknown>) : undefined);
    };
    doc = how && base ? expandRedfish(JSON.parse(base.toString('utf8')), lookup, how.which, how.levels).then((d) => Buffer.from(JSON.stringify(d))) : Promise.resolve(undefined);
    expanded.set(id, doc);
  }
  return doc;
}
const notFound = Buffer.from(JSON.stringify({ error: { code: 'Base.1.0.ResourceMissingAtURI', message: 'not found' } }));

function send(res: http.ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

/** TCP connections accepted and requests answered so far, on every address: GET /__stats tells the harness. */
let connections = 0;
let requests = 0;

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const p = q < 0 ? url : url.slice(0, q);
  if (p !== '/__stats') requests++;
  if (p === '/small') return send(res, 200, small);
  if (p === '/small-close') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': small.length, connection: 'close' });
    res.end(small);
    return;
  }
  if (p === '/__stats') return send(res, 200, Buffer.from(JSON.stringify({ connections, requests })));
  if (p === '/large') return send(res, 200, large);
  if (p.startsWith('/redfish')) {
    const key = decodeURIComponent(p.length > 1 ? p.replace(/\/+$/, '') : p);
    const expand = values.expand && q >= 0 ? new URLSearchParams(url.slice(q + 1)).get('$expand') : null;
    if (expand !== null) {
      void expandedDoc(key, expand).then((doc) => setTimeout(() => send(res, doc ? 200 : 404, doc ?? notFound), delayMs));
      return;
    }
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
