// A configuration generation is the whole plan: a reload builds new transports from
// the files as they are now (a certificate rotated in place is picked up), and the
// replaced generation's connections are closed once its last probe is over.
import { copyFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSeries, startExporter, writeTempFiles, type TestExporter } from '../helpers/exporter.js';
import { requireProgram } from '../helpers/system.js';
import { selfSigned, type SelfSigned } from '../helpers/tls.js';
import { eventually } from '../helpers/wait.js';

const openssl = requireProgram('openssl', 'apt-get install -y openssl');

let server: https.Server;
let port: number;
let device: SelfSigned;
let clientA: SelfSigned;
let clientB: SelfSigned;
/** Each TLS connection the device accepted, and whether it has closed since. */
const connections: Array<{ cn: string | undefined; closed: boolean }> = [];
const bySocket = new WeakMap<object, { cn: string | undefined; closed: boolean }>();
let release: (() => void) | undefined;
let heldOn: { cn: string | undefined; closed: boolean } | undefined;

beforeAll(async () => {
  if (openssl.skipReason) return;
  [device, clientA, clientB] = await Promise.all([selfSigned(), selfSigned('client-a'), selfSigned('client-b')]);
  // Asks every client for a certificate and reports the one it got.
  server = https.createServer({ cert: device.cert, key: device.key, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const cn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN;
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ up: 1, cn }));
    };
    if (req.url === '/hold') {
      heldOn = bySocket.get(req.socket);
      release = answer;
    } else answer();
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    const cn = socket.getPeerCertificate().subject?.CN;
    const entry = { cn: Array.isArray(cn) ? cn.join(",") : cn, closed: false };
    connections.push(entry);
    bySocket.set(socket, entry);
    socket.once('close', () => (entry.closed = true));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

function config(certDir: string): string {
  return `
modules:
  mtls:
    target: { scheme: https }
    tls: { insecure_skip_verify: true, cert_file: ${path.join(certDir, 'client.pem')}, key_file: ${path.join(certDir, 'client.key')} }
    requests:
      status: { path: /status }
    metrics:
      - { name: dev_up, from: status, value: '$.up', labels: { cn: '$.cn' } }
  held:
    target: { scheme: https }
    tls: { insecure_skip_verify: true, cert_file: ${path.join(certDir, 'client.pem')}, key_file: ${path.join(certDir, 'client.key')} }
    timeout: 5s
    requests:
      hold: { path: /hold }
    metrics:
      - { name: dev_up, from: hold, value: '$.up', labels: { cn: '$.cn' } }
`;
}

describe('configuration generations', () => {
  let exporter: TestExporter;
  let certDir: string;

  beforeAll(async () => {
    if (openssl.skipReason) return;
    certDir = await writeTempFiles({});
    await copyFile(clientA.certFile, path.join(certDir, 'client.pem'));
    await copyFile(clientA.keyFile, path.join(certDir, 'client.key'));
    const dir = await writeTempFiles({ 'apiprobe.yml': config(certDir) });
    exporter = await startExporter({ configFile: path.join(dir, 'apiprobe.yml') });
  });
  afterAll(async () => exporter?.close());

  it('presents a client certificate rotated in place once the configuration is reloaded', async (ctx) => {
    if (openssl.skipReason) return ctx.skip();
    const target = `127.0.0.1:${port}`;
    expect(parseSeries((await exporter.probe({ module: 'mtls', target })).text).get('dev_up{cn="client-a"}')).toBe(1);

    // The files change under the same paths; until a reload, the loaded configuration stands.
    await copyFile(clientB.certFile, path.join(certDir, 'client.pem'));
    await copyFile(clientB.keyFile, path.join(certDir, 'client.key'));
    expect(parseSeries((await exporter.probe({ module: 'mtls', target })).text).get('dev_up{cn="client-a"}')).toBe(1);

    const reload = await fetch(`${exporter.url}/-/reload`, { method: 'POST' });
    expect(reload.status).toBe(200);
    const after = parseSeries((await exporter.probe({ module: 'mtls', target })).text);
    expect(after.get('dev_up{cn="client-b"}')).toBe(1);
    expect(after.get('probe_success')).toBe(1);
    // The replaced generation had no probe running: its connection is closed at once.
    await eventually('the replaced generation\'s connections to close', () => connections.filter((c) => c.cn === 'client-a').every((c) => c.closed));
    expect(exporter.generations.retiring).toBe(0);
  });

  it('closes a replaced generation\'s connections only once its last probe is over', async (ctx) => {
    if (openssl.skipReason) return ctx.skip();
    const target = `127.0.0.1:${port}`;
    const held = exporter.probe({ module: 'held', target });
    await eventually('the held request to reach the device', () => release !== undefined);
    const heldConnection = heldOn!;
    expect(heldConnection.closed).toBe(false);

    expect((await fetch(`${exporter.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    // The probe still runs on the old generation: its connection stays open.
    expect(exporter.generations.retiring).toBe(1);
    // A probe on the new generation, start to end: the device has handled everything the
    // reload set off by then, a close of the held connection included.
    expect(parseSeries((await exporter.probe({ module: 'mtls', target })).text).get('probe_success')).toBe(1);
    expect(heldConnection.closed).toBe(false);

    release!();
    const answer = parseSeries((await held).text);
    expect(answer.get('probe_success')).toBe(1);
    await eventually('the held connection to close', () => heldConnection.closed);
    expect(exporter.generations.retiring).toBe(0);
  });

  it('keeps one generation alive however often it is reloaded', async (ctx) => {
    if (openssl.skipReason) return ctx.skip();
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${exporter.url}/-/reload`, { method: 'POST' })).status).toBe(200);
      expect(parseSeries((await exporter.probe({ module: 'mtls', target: `127.0.0.1:${port}` })).text).get('probe_success')).toBe(1);
    }
    expect(exporter.generations.retiring).toBe(0);
    await eventually('every replaced generation\'s connection to close', () => connections.slice(0, -1).every((c) => c.closed));
    expect(exporter.generations.current.connections.size).toBe(1);
  });
});
