// One HTTP server listening on one port of many loopback addresses (one socket per
// address, all feeding the server), for the benchmark's simulated devices.
import type http from 'node:http';
import net from 'node:net';

async function listenOn(server: http.Server, addresses: readonly string[], port: number, onConnection: () => void): Promise<net.Server[]> {
  const listeners: net.Server[] = [];
  try {
    for (const address of addresses) {
      const l = net.createServer((socket) => {
        onConnection();
        socket.on('error', () => undefined);
        server.emit('connection', socket);
      });
      await new Promise<void>((resolve, reject) => {
        l.once('error', reject);
        l.listen({ port, host: address, backlog: 4096 }, () => resolve());
      });
      listeners.push(l);
      if (port === 0) port = (l.address() as net.AddressInfo).port;
    }
    return listeners;
  } catch (err) {
    for (const l of listeners) l.close();
    throw err;
  }
}

/** Listens on a port free on every address; returns the port and the number of sockets. */
export async function listenEverywhere(server: http.Server, addresses: readonly string[], onConnection: () => void): Promise<{ port: number; sockets: number }> {
  for (let attempt = 0; ; attempt++) {
    try {
      const listeners = await listenOn(server, addresses, 0, onConnection);
      return { port: (listeners[0]!.address() as net.AddressInfo).port, sockets: listeners.length };
    } catch (err) {
      // The free port of the first address may be taken on one of the others.
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 10) throw err;
    }
  }
}
