// TLS settings given as PEM text (ca, cert, key) instead of files: used for the
// handshake as the files are, checked at load, and located at file:line when they
// do not parse.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, formatProblem } from '../../src/spec/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { parseSeries, startExporter, writeTempFiles, type TestExporter } from '../helpers/exporter.js';
import { requireProgram } from '../helpers/system.js';
import { selfSigned, type SelfSigned } from '../helpers/tls.js';

const openssl = requireProgram('openssl', 'apt-get install -y openssl');

/** PEM text as a YAML block scalar at `indent` spaces. */
function block(pem: Buffer | string, indent: number): string {
  const pad = ' '.repeat(indent);
  return `|\n${pem.toString().trimEnd().split('\n').map((l) => pad + l).join('\n')}`;
}

async function problems(yaml: string): Promise<string[]> {
  const dir = await writeTempFiles({ 'apiprobe.yml': yaml, 'ca.pem': 'unused\n' });
  const err = await loadConfig(path.join(dir, 'apiprobe.yml')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).problems.map(formatProblem).map((l) => l.slice(dir.length + 1));
}

let device: SelfSigned;
let client: SelfSigned;
let other: SelfSigned;
let server: https.Server;
let url: string;
let exporter: TestExporter;

beforeAll(async () => {
  if (openssl.skipReason) return;
  device = await selfSigned();
  client = await selfSigned('apiprobe-client');
  other = await selfSigned('someone-else');
  // Asks for a client certificate and says whose it got, without requiring one.
  server = https.createServer({ cert: device.cert, key: device.key, ca: client.cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const cn = socket.authorized ? (socket.getPeerCertificate().subject?.CN ?? '') : '';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ up: 1, client: cn }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  exporter = await startExporter({
    configYaml: `
auths:
  inline_client:
    tls:
      cert: ${block(client.cert, 8)}
      key: ${block(client.key, 8)}
modules:
  inline_ca:
    target: { scheme: https }
    tls:
      ca: ${block(device.cert, 8)}
    requests: { s: { path: /s } }
    metrics: [{ name: dev_up, from: s, value: '$.up', labels: { client: '$.client' } }]
  wrong_ca:
    target: { scheme: https }
    tls:
      ca: ${block(other.cert, 8)}
    requests: { s: { path: /s } }
    metrics: [{ name: dev_up, from: s, value: '$.up' }]
`,
  });
});

afterAll(async () => {
  if (openssl.skipReason) return;
  await exporter.close();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach((ctx) => openssl.skipIfMissing(ctx));

describe('inline PEM', () => {
  it('ca verifies a self-signed device certificate; another CA is refused', async () => {
    const ok = parseSeries((await exporter.probe({ module: 'inline_ca', target: url })).text);
    expect(ok.get('probe_success')).toBe(1);
    expect(ok.get('dev_up')).toBe(1);
    const refused = parseSeries((await exporter.probe({ module: 'wrong_ca', target: url })).text);
    expect(refused.get('probe_success')).toBe(0);
    expect(refused.get('dev_up')).toBeUndefined();
  });

  it('cert and key of an auth are presented as the client certificate', async () => {
    const without = parseSeries((await exporter.probe({ module: 'inline_ca', target: url })).text);
    // An empty label value is an absent label.
    expect(without.get('dev_up')).toBe(1);
    const withCert = parseSeries((await exporter.probe({ module: 'inline_ca', target: url, auth: 'inline_client' })).text);
    expect(withCert.get('dev_up{client="apiprobe-client"}')).toBe(1);
  });

  it('that does not parse is refused at load, at its line, never quoting a key', async () => {
    const yaml = `auths:
  bad_cert:
    tls: { cert: 'not a certificate', key: ${JSON.stringify(client.key.toString())} }
  bad_key:
    tls:
      cert: ${block(client.cert, 8)}
      key: '-----BEGIN PRIVATE KEY-----\\nc2VjcmV0LWtleS1tYXRlcmlhbA==\\n-----END PRIVATE KEY-----\\n'
  mismatched:
    tls:
      cert: ${block(client.cert, 8)}
      key: ${block(other.key, 8)}
modules:
  m:
    tls:
      ca: |
        -----BEGIN CERTIFICATE-----
        bm90IGEgY2VydGlmaWNhdGU=
        -----END CERTIFICATE-----
    requests: { s: { path: /s } }
  both:
    tls: { ca: ${JSON.stringify(device.cert.toString())}, ca_file: ca.pem }
    requests: { s: { path: /s } }
  secret_in_module:
    tls: { cert_file: c.pem, key: ${JSON.stringify(client.key.toString())} }
    requests: { s: { path: /s } }
`;
    // The line of the first `name:` key after the line holding `after`.
    const lineOf = (after: string, name: string): number => {
      const rows = yaml.split('\n');
      const from = rows.findIndex((r) => r.includes(after));
      return rows.findIndex((r, i) => i > from && r.trimStart().startsWith(`${name}:`)) + 1;
    };
    const lines = await problems(yaml);
    expect(lines).toEqual([
      'apiprobe.yml:3:18 auths.bad_cert.tls.cert: cert is not PEM text: no -----BEGIN CERTIFICATE----- block',
      `apiprobe.yml:${lineOf('bad_key:', 'key')}:12 auths.bad_key.tls.key: key is not a PEM private key (unencrypted PKCS#8, PKCS#1 or SEC1)`,
      `apiprobe.yml:${lineOf('mismatched:', 'key')}:12 auths.mismatched.tls.key: the key does not belong to the client certificate (cert)`,
      `apiprobe.yml:${lineOf('  m:', 'ca')}:11 modules.m.tls.ca: ca: certificate 1 of 1 is not a valid PEM certificate`,
      expect.stringMatching(new RegExp(`^apiprobe\\.yml:${lineOf('both:', 'tls')}:\\d+ modules\\.both\\.tls\\.ca_file: give ca or ca_file, not both$`)),
      expect.stringMatching(new RegExp(`^apiprobe\\.yml:${lineOf('secret_in_module:', 'tls')}:\\d+ modules\\.secret_in_module\\.tls\\.key: an inline private key is a secret, kept out of modules: use key_file here, or give cert and key in the tls of an auth$`)),
    ]);
    const all = lines.join('\n');
    expect(all).not.toContain('c2VjcmV0LWtleS1tYXRlcmlhbA');
    expect(all).not.toContain(client.key.toString().split('\n')[1]!);
  });
});
