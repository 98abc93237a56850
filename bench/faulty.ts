// The soak's faulty devices (bench/soak.ts), in their own process like the healthy
// upstream: one HTTP server on one port of each loopback address given, answering by
// path the way a broken device does (the same faults as test/faults/faults.test.ts):
//
//   /hang          accepts the request, never answers
//   /reset         resets the connection (TCP RST) on reading the request
//   /invalid-json  200 with a truncated JSON document (the connection is kept alive)
//   /trickle       200, then one byte of the body a second
//
//   node --import tsx bench/faulty.ts --addresses 127.0.1.10,127.0.1.20   → prints {"port":N}
import http from 'node:http';
import { parseArgs } from 'node:util';
import { listenEverywhere } from './listen.js';

const { values } = parseArgs({ options: { addresses: { type: 'string', default: '127.0.0.1' } } });
const addresses = values.addresses.split(',').map((a) => a.trim()).filter(Boolean);

/** Requests seen by path, and connections accepted: GET /__stats on any address. */
const seen: Record<string, number> = {};
let connections = 0;

const server = http.createServer((req, res) => {
  const p = (req.url ?? '/').split('?')[0]!;
  seen[p] = (seen[p] ?? 0) + 1;
  switch (p) {
    case '/hang':
      return; // the exporter gives up at its deadline and closes the connection
    case '/reset':
      req.socket.resetAndDestroy();
      return;
    case '/invalid-json':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"up": 1, "temperatures": [21.5, 22.0,');
      return;
    case '/trickle': {
      res.writeHead(200, { 'content-type': 'application/json' });
      const body = `{"up": 1, "pad": "${'x'.repeat(1000)}"}`;
      let i = 0;
      const timer = setInterval(() => {
        if (i < body.length) res.write(body[i++]!);
        else res.end();
      }, 1000);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case '/__stats':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ connections, seen }));
      return;
    default:
      res.writeHead(404);
      res.end();
  }
});
server.keepAliveTimeout = 65_000;
// No timeout of the server's own ends a hanging request: only the client does.
server.requestTimeout = 0;
server.headersTimeout = 0;

const { port, sockets } = await listenEverywhere(server, addresses, () => connections++);
process.stdout.write(`${JSON.stringify({ port, addresses: sockets })}\n`);
process.on('SIGTERM', () => process.exit(0));
