// json_exporter's http_client_config.oauth2 and inline PEM (tls_config.ca, cert, key),
// loaded unchanged: a token from a real token endpoint over TLS (its CA given inline
// in oauth2.tls_config), sent to a real device over TLS (its CA given inline in
// tls_config), with a client certificate given inline too.
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { convertJsonExporter } from '../../src/commands/convert.js';
import { ConfigError, formatProblem } from '../../src/spec/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { parseSeries, startExporter, writeTempFiles, type TestExporter } from '../helpers/exporter.js';
import { requireProgram } from '../helpers/system.js';
import { selfSigned, type SelfSigned } from '../helpers/tls.js';

const openssl = requireProgram('openssl', 'apt-get install -y openssl');

const SECRET = `je-${randomBytes(8).toString('hex')}`;

/** PEM text as a YAML block scalar at `indent` spaces. */
function block(pem: Buffer, indent: number): string {
  const pad = ' '.repeat(indent);
  return `|\n${pem.toString().trimEnd().split('\n').map((l) => pad + l).join('\n')}`;
}

async function listen(server: https.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: https.Server): Promise<void> {
  return new Promise((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
}

interface TokenRequest {
  authorization: string | undefined;
  form: URLSearchParams;
}

describe('json_exporter http_client_config: oauth2 and inline PEM', () => {
  let idpCert: SelfSigned;
  let deviceCert: SelfSigned;
  let clientCert: SelfSigned;
  let idp: https.Server;
  let device: https.Server;
  let idpUrl: string;
  let deviceUrl: string;
  let dir: string;
  let file: string;
  let exporter: TestExporter;
  const tokens = new Set<string>();
  const tokenRequests: TokenRequest[] = [];
  const seen: Array<{ authorization: string | undefined; cn: string }> = [];

  beforeAll(async () => {
    if (openssl.skipReason) return;
    idpCert = await selfSigned();
    deviceCert = await selfSigned();
    clientCert = await selfSigned('je-client');
    idp = https.createServer({ cert: idpCert.cert, key: idpCert.key }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        tokenRequests.push({ authorization: req.headers.authorization, form });
        res.writeHead(200, { 'content-type': 'application/json' });
        if (req.headers.authorization !== `Basic ${Buffer.from(`exporter:${SECRET}`).toString('base64')}`) {
          res.statusCode = 401;
          return res.end('{"error":"invalid_client"}');
        }
        const token = randomBytes(12).toString('hex');
        tokens.add(token);
        res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }));
      });
    });
    // Asks for a client certificate (signed by the client's own) without requiring one.
    device = https.createServer({ cert: deviceCert.cert, key: deviceCert.key, ca: clientCert.cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const socket = req.socket as TLSSocket;
      const cn = socket.authorized ? String(socket.getPeerCertificate().subject?.CN ?? '') : '';
      seen.push({ authorization: req.headers.authorization, cn });
      const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (req.url === '/api' && !(bearer && tokens.has(bearer))) {
        res.writeHead(401);
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ up: 1, client: cn }));
    });
    idpUrl = await listen(idp);
    deviceUrl = await listen(device);
    dir = await writeTempFiles({ 'client.secret': `${SECRET}\n` });
    file = path.join(dir, 'config.yml');
    await writeFile(file, `
modules:
  api:
    http_client_config:
      oauth2:
        client_id: exporter
        client_secret_file: client.secret
        token_url: ${idpUrl}/token
        scopes: [read]
        endpoint_params: { resource: devices }
        tls_config:
          ca: ${block(idpCert.cert, 12)}
      tls_config:
        ca: ${block(deviceCert.cert, 10)}
    metrics: [{ name: up, path: '{.up}' }]
  idp_unverified:
    http_client_config:
      oauth2: { client_id: exporter, client_secret_file: client.secret, token_url: '${idpUrl}/token' }
      tls_config:
        ca: ${block(deviceCert.cert, 10)}
    metrics: [{ name: up, path: '{.up}' }]
  mtls:
    http_client_config:
      tls_config:
        ca: ${block(deviceCert.cert, 10)}
        cert: ${block(clientCert.cert, 10)}
        key: ${block(clientCert.key, 10)}
    metrics: [{ name: up, path: '{.up}', labels: { cn: '{.client}' } }]
`);
    exporter = await startExporter({ configFile: file });
  });

  afterAll(async () => {
    if (openssl.skipReason) return;
    await exporter.close();
    await Promise.all([close(idp), close(device)]);
  });

  beforeEach((ctx) => openssl.skipIfMissing(ctx));

  it('oauth2 loads as an auth of the module and probes with the token, asked for once', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await exporter.probe({ module: 'api', target: `${deviceUrl}/api` });
      expect(parseSeries(res.text).get('up')).toBe(1);
    }
    // json_exporter builds a new client, so asks for a new token, on every scrape; apiprobe keeps it.
    expect(tokenRequests).toHaveLength(1);
    const t = tokenRequests[0]!;
    expect(t.authorization).toBe(`Basic ${Buffer.from(`exporter:${SECRET}`).toString('base64')}`);
    expect(Object.fromEntries(t.form)).toEqual({ grant_type: 'client_credentials', scope: 'read', resource: 'devices' });
    expect(tokens.has(seen.at(-1)!.authorization!.replace('Bearer ', ''))).toBe(true);
    expect(exporter.config.auths.get('json_exporter.api')?.kind).toBe('oauth2');
  });

  it('oauth2.tls_config is what verifies the token endpoint', async () => {
    const res = await exporter.probe({ module: 'idp_unverified', target: `${deviceUrl}/api`, debug: 'true' });
    expect(res.text).toMatch(/auth json_exporter\.idp_unverified: token request to https:\/\/127\.0\.0\.1:\d+\/token failed: .*self-signed certificate/);
    expect(parseSeries(res.text.slice(res.text.indexOf('# HELP'))).get('probe_success')).toBe(0);
  });

  it('inline ca verifies the device; an inline client certificate and key go with the credentials, not the module', async () => {
    const res = await exporter.probe({ module: 'mtls', target: `${deviceUrl}/open`, debug: 'true' });
    const series = parseSeries(res.text.slice(res.text.indexOf('# HELP')));
    expect(series.get('up{cn="je-client"}')).toBe(1);
    expect(res.text).toContain('Auth: json_exporter.mtls (tls)');
    // The module shown by debug=true has the CA, and no key.
    expect(res.text).toContain(deviceCert.cert.toString().split('\n')[1]!);
    expect(res.text).not.toContain(clientCert.key.toString().split('\n')[1]!);
    expect(exporter.logs.join('\n')).not.toContain(SECRET);
  });

  it('converts to native modules with the oauth2 auth and the client key under auths:', async () => {
    const yaml = await convertJsonExporter(file);
    const [modulesPart, authsPart] = yaml.split('\nauths:\n');
    expect(authsPart).toMatch(/ {2}json_exporter\.api:\n {4}oauth2:\n {6}client_id: exporter\n {6}client_secret_file: client\.secret\n {6}token_url: https:\/\/127\.0\.0\.1:\d+\/token\n/);
    expect(authsPart).toContain(clientCert.key.toString().split('\n')[1]!);
    expect(modulesPart).not.toContain(clientCert.key.toString().split('\n')[1]!);
    const native = path.join(dir, 'native.yml');
    await writeFile(native, yaml);
    const config = await loadConfig(native, { format: 'apiprobe' });
    expect([...config.auths.keys()].sort()).toEqual(['json_exporter.api', 'json_exporter.idp_unverified', 'json_exporter.mtls']);
  });
});

describe('json_exporter http_client_config problems', () => {
  beforeEach((ctx) => openssl.skipIfMissing(ctx));

  async function problems(config: string): Promise<string[]> {
    const dir = await writeTempFiles({ 'config.yml': config, 'c.pem': (await selfSigned()).cert.toString() });
    const err = await loadConfig(path.join(dir, 'config.yml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map(formatProblem).map((l) => l.slice(dir.length + 1));
  }

  it('what Prometheus refuses, *_ref secrets, and PEM that does not parse, each at its field', async () => {
    expect(await problems(`modules:
  no_url:
    http_client_config:
      oauth2: { client_id: exporter, client_secret: s }
    metrics: [{ name: up, path: '{.up}' }]
  both_secrets:
    http_client_config:
      oauth2: { client_id: exporter, client_secret: s, client_secret_file: s.txt, token_url: 'https://idp.example/token' }
    metrics: [{ name: up, path: '{.up}' }]
  secret_ref:
    http_client_config:
      oauth2: { client_id: exporter, client_secret_ref: vault/exporter, token_url: 'https://idp.example/token' }
    metrics: [{ name: up, path: '{.up}' }]
  ftp:
    http_client_config:
      oauth2: { client_id: exporter, client_secret: s, token_url: 'ftp://idp.example/token' }
    metrics: [{ name: up, path: '{.up}' }]
  no_proxy:
    http_client_config:
      oauth2: { client_id: exporter, client_secret: s, token_url: 'https://idp.example/token', proxy_url: 'http://proxy:3128', no_proxy: localhost }
    metrics: [{ name: up, path: '{.up}' }]
  bad_idp_ca:
    http_client_config:
      oauth2:
        client_id: exporter
        client_secret: s
        token_url: https://idp.example/token
        tls_config: { ca: not-pem }
    metrics: [{ name: up, path: '{.up}' }]
  password_ref:
    http_client_config:
      basic_auth: { username: u, password_ref: vault/u }
    metrics: [{ name: up, path: '{.up}' }]
  ca_ref:
    http_client_config:
      tls_config: { ca_ref: vault/ca }
    metrics: [{ name: up, path: '{.up}' }]
  bad_ca:
    http_client_config:
      tls_config: { ca: not-pem }
    metrics: [{ name: up, path: '{.up}' }]
  bad_key:
    http_client_config:
      tls_config: { cert_file: c.pem, key: not-a-key }
    metrics: [{ name: up, path: '{.up}' }]
  key_alone:
    http_client_config:
      tls_config: { key: not-a-key }
    metrics: [{ name: up, path: '{.up}' }]
`)).toEqual([
      'config.yml:4:7 modules.no_url.http_client_config.oauth2: oauth2 token_url must be configured',
      'config.yml:8:56 modules.both_secrets.http_client_config.oauth2.client_secret_file: give client_secret or client_secret_file, not both',
      'config.yml:12:38 modules.secret_ref.http_client_config.oauth2.client_secret_ref: client_secret_ref is not supported: json_exporter has no secret manager to resolve it (every scrape fails there with "cannot use secret ref without manager"); use client_secret or client_secret_file',
      'config.yml:16:56 modules.ftp.http_client_config.oauth2.token_url: token_url must be an http:// or https:// URL, not ftp:',
      'config.yml:20:128 modules.no_proxy.http_client_config.oauth2.no_proxy: no_proxy is not supported; give proxy_url alone',
      'config.yml:28:23 modules.bad_idp_ca.http_client_config.oauth2.tls_config.ca: ca is not PEM text: no -----BEGIN CERTIFICATE----- block',
      'config.yml:32:34 modules.password_ref.http_client_config.basic_auth.password_ref: password_ref is not supported: json_exporter has no secret manager to resolve it (every scrape fails there with "cannot use secret ref without manager"); use password or password_file',
      'config.yml:36:21 modules.ca_ref.http_client_config.tls_config.ca_ref: ca_ref is not supported: json_exporter has no secret manager to resolve it (every scrape fails there with "cannot use secret ref without manager"); use ca or ca_file',
      'config.yml:40:25 modules.bad_ca.http_client_config.tls_config.ca: ca is not PEM text: no -----BEGIN CERTIFICATE----- block',
      'config.yml:44:39 modules.bad_key.http_client_config.tls_config.key: key is not a PEM private key (unencrypted PKCS#8, PKCS#1 or SEC1)',
      'config.yml:48:21 modules.key_alone.http_client_config.tls_config.key: a client key needs its certificate: give cert or cert_file too',
    ]);
  });
});
