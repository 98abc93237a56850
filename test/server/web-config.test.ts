// --web.config.file in the exporter-toolkit format: TLS with a certificate made
// here, bcrypt basic auth on every endpoint.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/spec/errors.js';
import { loadWebConfig } from '../../src/server/web-config.js';
import { startExporter, writeTempFiles, type TestExporter } from '../helpers/exporter.js';
import { requireProgram } from '../helpers/system.js';
import { selfSigned, type SelfSigned } from '../helpers/tls.js';

const openssl = requireProgram('openssl', 'apt-get install -y openssl');
let cert: SelfSigned;
let exporter: TestExporter;
let agent: Agent;

beforeAll(async () => {
  if (openssl.skipReason) return;
  cert = await selfSigned();
  // htpasswd -B writes $2y$ hashes: use that form.
  const hash = (await bcrypt.hash('s3cret-pass', 4)).replace(/^\$2b\$/, '$2y$');
  const file = path.join(cert.dir, 'web.yml');
  await writeFile(file, `tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  prometheus: '${hash}'\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n`);
  exporter = await startExporter({ webConfigFile: file, configYaml: 'modules: {}\n' });
  agent = new Agent({ connect: { ca: cert.cert } });
});

afterAll(async () => {
  await exporter?.close();
  await agent?.close();
});

const get = async (p: string, auth?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> => {
  const res = await request(`${exporter.url}${p}`, { dispatcher: agent, headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {} });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
};

describe('web configuration', () => {
  it('serves HTTPS with the configured certificate', async (ctx) => {
    openssl.skipIfMissing(ctx);
    expect(exporter.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await get('/-/healthy', 'prometheus:s3cret-pass')).status).toBe(200);
    // A client that does not trust the certificate is refused by TLS itself.
    await expect(request(`${exporter.url}/-/healthy`)).rejects.toThrow(/self-signed certificate|DEPTH_ZERO/i);
  });

  it.each(['/metrics', '/probe?module=x&target=y', '/', '/-/healthy', '/-/ready'])('asks for credentials on %s', async (p, ) => {
    if (openssl.skipReason) return;
    const none = await get(p);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="apiprobe"');
    expect((await get(p, 'prometheus:wrong')).status).toBe(401);
    expect((await get(p, 'nobody:s3cret-pass')).status).toBe(401);
    const ok = await get(p, 'prometheus:s3cret-pass');
    expect(ok.status).not.toBe(401);
    expect(ok.headers['x-frame-options']).toBe('deny');
  });

  it('names the file, line and field of a bad web configuration', async () => {
    const dir = await writeTempFiles({ 'web.yml': 'basic_auth_users:\n  alice: plaintext\ntls_server_config:\n  cert_file: a\n  key_file: b\n  colour: blue\n' });
    const err = await loadWebConfig(path.join(dir, 'web.yml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.map((p) => `${p.line}:${p.column} ${p.field}: ${p.message}`);
    expect(problems).toEqual(['6:3 tls_server_config.colour: unknown field "colour"', '2:10 basic_auth_users.alice: expected a bcrypt hash ($2y$…)']);
  });
});
