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
    const [host, port] = req.url!.split(':');
    const upstream = net.connect(Number(port), host, () => {
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
