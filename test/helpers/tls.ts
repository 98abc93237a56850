// A self-signed certificate for 127.0.0.1/localhost, made with openssl for the test.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeTempFiles } from './exporter.js';

export interface SelfSigned {
  dir: string;
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

export async function selfSigned(cn = 'localhost'): Promise<SelfSigned> {
  const dir = await writeTempFiles({});
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'pipe' });
  return { dir, certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

/** SHA-256 of the public key as sha256/<base64>, computed by openssl (not by the code under test). */
export function opensslSpkiPin(cert: SelfSigned): string {
  const b64 = execFileSync('sh', ['-c', `openssl x509 -pubkey -noout -in '${cert.certFile}' | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`]).toString().trim();
  return `sha256/${b64}`;
}
