// The benchmark's second floor: the least a Node exporter can do per probe. A plain
// node:http server that fetches the same path from the upstream with undici (keep-alive,
// as the exporter does) and returns the bytes. Plain JavaScript, so it runs under plain
// node like the built exporter does (no TypeScript loader in its memory or CPU).
//
//   node bench/proxy.mjs --upstream http://127.0.0.1:N   → prints {"port":M} when listening
//
// GET /path fetches the upstream's /path; GET /?target=host:port&path=/p fetches
// http://host:port/p (a different origin per target, as W4 does).
import http from 'node:http';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';

const { values } = parseArgs({ options: { upstream: { type: 'string' } } });
const upstream = values.upstream;
if (!upstream) throw new Error('--upstream is required');
const agent = new Agent({ keepAliveTimeout: 30_000 });

const server = http.createServer(async (req, res) => {
  try {
    let url = upstream + req.url;
    if (req.url.startsWith('/?')) {
      const q = new URLSearchParams(req.url.slice(2));
      url = `http://${q.get('target')}${q.get('path')}`;
    }
    const up = await request(url, { dispatcher: agent });
    const body = Buffer.from(await up.body.arrayBuffer());
    res.writeHead(up.statusCode, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  } catch (err) {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`${err}\n`);
  }
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
