// A device speaking HTTPS over a plain tls.Server, recording every byte it receives
// after the handshake: what a client wrote on a connection, credentials included.
// Its key can be replaced at the same address (an impostor, or a renewed certificate).
import { X509Certificate } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { SelfSigned } from './tls.js';

export interface TlsDevice {
  port: number;
  /** host:port, as probes and the known hosts name the device. */
  address: string;
  /** Application data received on all connections since the last `clear()`. */
  received(): string;
  /** TCP connections accepted since the last `clear()`. */
  connections: number;
  clear(): void;
  /** Presents `cert` from now on; open connections are cut so that clients reconnect. */
  present(cert: SelfSigned): void;
  close(): Promise<void>;
}

/**
 * Answers any request with `{"up":1}`; POST /login with an X-Auth-Token header. With
 * `forwardTo`, passes every connection on to that plain HTTP port on loopback instead
 * (a simulated device from test/sim behind TLS, as an appliance serves its API).
 */
export async function startTlsDevice(cert: SelfSigned, forwardTo?: number): Promise<TlsDevice> {
  let chunks: string[] = [];
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({ cert: cert.cert, key: cert.key }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (forwardTo !== undefined) {
      const upstream = net.connect(forwardTo, '127.0.0.1');
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
      socket.on('data', (chunk: Buffer) => chunks.push(chunk.toString('latin1')));
      socket.pipe(upstream).pipe(socket);
      return;
    }
    let buf = '';
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk.toString('latin1'));
      buf += chunk.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        buf = buf.slice(end + 4 + length);
        const [method, path] = head.split(' ');
        const login = method === 'POST' && path === '/login';
        const body = login ? '{}' : '{"up":1}';
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n${login ? 'x-auth-token: session-token-1\r\n' : ''}\r\n${body}`);
      }
    });
  });
  // Counted on the TCP connection: a client that refuses the certificate closes before
  // the server has seen the handshake end.
  server.on('connection', () => device.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const device: TlsDevice = {
    port,
    address: `127.0.0.1:${port}`,
    received: () => chunks.join(''),
    connections: 0,
    clear() {
      chunks = [];
      device.connections = 0;
    },
    present(next) {
      server.setSecureContext({ cert: next.cert, key: next.key });
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return device;
}

/** The certificate's notAfter in unix seconds. */
export function expiryOf(cert: SelfSigned): number {
  return Math.floor(new Date(new X509Certificate(cert.cert).validTo).getTime() / 1000);
}
