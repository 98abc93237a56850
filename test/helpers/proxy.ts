// A CONNECT proxy on loopback that records where it is asked to go, for the tests of
// proxy_url (devices, and an OAuth 2.0 token endpoint).
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface ConnectProxy {
  server: http.Server;
  url: string;
  port: number;
  /** host:port of every CONNECT, in order. */
  connects: string[];
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const connects: string[] = [];
  const server = http.createServer();
  server.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
    connects.push(req.url!);
    const at = req.url!.lastIndexOf(':');
    const host = req.url!.slice(0, at).replace(/^\[|\]$/g, '');
    const port = Number(req.url!.slice(at + 1));
    // The tests reach loopback only: whatever the exporter asks for, this proxy never
    // looks up a name or opens a connection anywhere else (a regression in the guard
    // must fail a test, not send traffic off the machine).
    if (!isLoopback(host)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { server, url: `http://127.0.0.1:${port}`, port, connects };
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return net.isIPv4(host) && host.startsWith('127.');
}
