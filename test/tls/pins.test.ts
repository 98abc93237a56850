// Pin forms, the known hosts store, and the configuration of pins and first use.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/spec/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { isLoopback } from '../../src/tls/accept.js';
import { KnownHosts } from '../../src/tls/known-hosts.js';
import { formatPin, identityOf, parsePin, PinError } from '../../src/tls/pins.js';
import { resolveTarget } from '../../src/protocols/target.js';
import type { CompiledModule } from '../../src/module/plan.js';
import { deviceKey, planFor, type VerifyPolicy } from '../../src/tls/verify.js';
import { tempDir } from '../helpers/exporter.js';
import { requireProgram } from '../helpers/system.js';
import { selfSigned } from '../helpers/tls.js';

const openssl = requireProgram('openssl', 'apt-get install -y openssl');
const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

describe('pin forms', () => {
  it('matches what openssl computes for the certificate and for its public key', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const cert = await selfSigned();
    const der = execFileSync('openssl', ['x509', '-in', cert.certFile, '-outform', 'der']);
    const peer = identityOf(der);
    const fingerprint = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', cert.certFile]).toString().trim().split('=')[1]!;
    const spki = execFileSync('sh', ['-c', `openssl x509 -pubkey -noout -in '${cert.certFile}' | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`]).toString().trim();
    expect(parsePin(fingerprint)).toEqual({ kind: 'cert', hex: peer.certHex });
    expect(parsePin(`sha256/${spki}`)).toEqual({ kind: 'spki', hex: peer.spkiHex });
    expect(formatPin({ kind: 'spki', hex: peer.spkiHex })).toBe(`sha256/${spki}`);
    expect(formatPin({ kind: 'cert', hex: peer.certHex })).toBe(fingerprint);
  });

  it('reads hex with or without colons, in either case, and base64 for the public key: all the same pin', () => {
    fc.assert(fc.property(hex64, (hex) => {
      const colons = hex.match(/../g)!.join(':');
      for (const form of [hex, hex.toUpperCase(), colons, `cert:${colons.toUpperCase()}`]) expect(parsePin(form)).toEqual({ kind: 'cert', hex });
      const b64 = Buffer.from(hex, 'hex').toString('base64');
      for (const form of [`spki:${hex}`, `SPKI:${colons}`, `sha256/${b64}`]) expect(parsePin(form)).toEqual({ kind: 'spki', hex });
      expect(parsePin(formatPin({ kind: 'spki', hex }))).toEqual({ kind: 'spki', hex });
      expect(parsePin(formatPin({ kind: 'cert', hex }))).toEqual({ kind: 'cert', hex });
    }));
  });

  it.each([
    ['abc', /not a fingerprint/],
    ['a'.repeat(63), /not a fingerprint/],
    ['sha256/abc', /44 characters of base64/],
    ['md5:' + 'a'.repeat(64), /not a fingerprint/],
    ['AB:CD' + ':AB'.repeat(29), /not a fingerprint/],
  ])('refuses %s', (raw, message) => {
    expect(() => parsePin(raw)).toThrow(PinError);
    expect(() => parsePin(raw)).toThrow(message);
  });
});

describe('what is checked on a connection', () => {
  const pins = [{ source: 'x', pins: [{ kind: 'spki' as const, hex: 'a'.repeat(64) }] }];
  const listed = new Map([['dev:443', { source: 'file', pins: [{ kind: 'cert' as const, hex: 'b'.repeat(64) }] }]]);
  const trust = { targetPins: listed, knownHosts: new KnownHosts(undefined) };
  it.each<[string, VerifyPolicy, string, { chain: boolean; mode: string; sets: number }]>([
    ['default, unlisted device: the CAs', { chain: 'unless_pinned', pins: [], firstUse: false }, 'other:443', { chain: true, mode: 'ca', sets: 0 }],
    ['default, device in the pins file: its pin alone', { chain: 'unless_pinned', pins: [], firstUse: false }, 'dev:443', { chain: false, mode: 'pin', sets: 1 }],
    ['a CA and the pins file: both', { chain: 'always', pins: [], firstUse: false }, 'dev:443', { chain: true, mode: 'pin', sets: 1 }],
    ['first use, device in the pins file: the pins decide', { chain: 'never', pins: [], firstUse: true }, 'dev:443', { chain: false, mode: 'pin', sets: 1 }],
    ['first use elsewhere', { chain: 'never', pins: [], firstUse: true }, 'other:443', { chain: false, mode: 'first_use', sets: 0 }],
    ['module pins and the pins file: both sets', { chain: 'never', pins, firstUse: false }, 'dev:443', { chain: false, mode: 'pin', sets: 2 }],
    ['insecure_skip_verify', { chain: 'never', pins: [], firstUse: false }, 'other:443', { chain: false, mode: 'none', sets: 0 }],
  ])('%s', (_name, policy, device, want) => {
    const plan = planFor(policy, device, trust);
    expect({ chain: plan.chain, mode: plan.mode, sets: plan.pins.length }).toEqual(want);
  });
});

describe('the device a connection goes to', () => {
  const mod = { name: 'm', scheme: 'https', port: undefined, allowUrl: false } as unknown as CompiledModule;
  // undici hands the connect function an IPv6 literal without brackets, and the URL's port ('' for the default).
  it.each([
    ['[::1]:8443', '::1', '8443'],
    ['[::ffff:7f00:1]:8443', '::ffff:127.0.0.1', '8443'],
    ['bmc.example.:443', 'bmc.example.', ''],
    ['10.0.0.1', '10.0.0.1', ''],
  ])('%s is named as the probe\'s target key', (target, hostname, port) => {
    expect(deviceKey(hostname, port, 'https:')).toBe(resolveTarget(target, mod).key);
  });
});

describe('known hosts', () => {
  const pin = (n: number): string => formatPin({ kind: 'spki', hex: n.toString(16).padStart(64, '0') });

  it('holds at most its bound: a device past it is refused, not recorded', () => {
    const store = new KnownHosts(undefined, 3);
    for (let i = 0; i < 3; i++) expect(store.check(`10.0.0.${i}:443`, pin(i))).toEqual({ ok: true, recorded: true });
    const r = store.check('10.0.0.9:443', pin(9));
    expect(r.ok).toBe(false);
    expect(store.size).toBe(3);
  });

  it('writes through a temporary file renamed into place, merging what another process wrote meanwhile', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'known_hosts');
    const store = new KnownHosts(file);
    store.check('10.0.0.1:443', pin(1));
    await store.save();
    // apiprobe tls accept, from another process, replaces the key of 10.0.0.1 and adds one.
    const other = new KnownHosts(file);
    other.set('10.0.0.1:443', pin(11));
    other.set('10.0.0.2:443', pin(2));
    await other.save();
    store.check('10.0.0.3:443', pin(3));
    await store.save();
    const text = await readFile(file, 'utf8');
    expect(text).toContain(`10.0.0.1:443 ${pin(11)} `);
    expect(text).not.toContain(pin(1));
    expect(text).toContain(`10.0.0.2:443 ${pin(2)} `);
    expect(text).toContain(`10.0.0.3:443 ${pin(3)} `);
    expect(await readdir(dir)).toEqual(['known_hosts']);
    // The first store takes the accepted key without a restart.
    expect(store.check('10.0.0.1:443', pin(11))).toEqual({ ok: true, recorded: false });
  });

  it('a key accepted here is not undone by the file changing before it was written', async () => {
    const file = path.join(await tempDir(), 'known_hosts');
    await writeFile(file, `10.0.0.1:443 ${pin(1)}\n`);
    const store = new KnownHosts(file);
    store.set('10.0.0.1:443', pin(11));
    // Before the write (which waits for this tick to end): another process adds a device.
    writeFileSync(file, `10.0.0.1:443 ${pin(1)}\n10.0.0.2:443 ${pin(2)}\n`);
    await store.save();
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(new RegExp(`^10\\.0\\.0\\.1:443 ${pin(11)} `, 'm'));
    expect(text).toContain(`10.0.0.2:443 ${pin(2)}\n`);
    expect(store.get('10.0.0.1:443')).toBe(pin(11));
  });
});

describe('POST /-/tls/accept without web authentication', () => {
  it.each([
    ['127.0.0.1', true], ['127.8.9.10', true], ['::1', true], ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false], ['::ffff:10.0.0.1', false], ['fe80::1', false], ['1127.0.0.1', false], [undefined, false],
  ])('is taken from %s: %s', (address, taken) => {
    expect(isLoopback(address)).toBe(taken);
  });
});

describe('configuration', () => {
  async function problems(yaml: string, files: Record<string, string> = {}): Promise<string> {
    const dir = await tempDir();
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    await writeFile(path.join(dir, 'apiprobe.yml'), yaml);
    try {
      await loadConfig(path.join(dir, 'apiprobe.yml'));
    } catch (err) {
      if (err instanceof ConfigError) return err.message.replaceAll(dir, '<dir>');
      throw err;
    }
    return '';
  }
  const request = 'requests: { s: { path: / } }';

  it('names the file, line and field of a bad pin', async () => {
    expect(await problems(`modules:\n  m:\n    tls:\n      pins:\n        - ${'a'.repeat(64)}\n        - nope\n    ${request}\n`))
      .toBe('<dir>/apiprobe.yml:6:11 modules.m.tls.pins[1]: "nope" is not a fingerprint (expected AB:CD:… or 64 hex digits (SHA-256 of the certificate), spki:<64 hex digits> or sha256/<base64> (SHA-256 of the public key))');
  });

  it('refuses first use with insecure_skip_verify, and pins through a proxy', async () => {
    expect(await problems(`modules:\n  m: { tls: { trust: first_use, insecure_skip_verify: true }, ${request} }\n`)).toMatch(/modules\.m\.tls\.trust: trust: first_use checks the device's key and insecure_skip_verify: true turns every check off/);
    expect(await problems(`modules:\n  m: { proxy_url: 'http://127.0.0.1:3128', tls: { pins: ['${'a'.repeat(64)}'] }, ${request} }\n`)).toMatch(/modules\.m\.tls\.pins: pins and trust: first_use are checked on direct connections only/);
  });

  it('names the auth of a bad pin, and refuses pins on the OAuth 2.0 token endpoint', async () => {
    const message = await problems(`auths:
  a: { bearer: { token: t }, tls: { pins: [nope] } }
  o: { oauth2: { client_id: c, client_secret: s, token_url: 'https://idp.example/token', tls: { pins: ['${'a'.repeat(64)}'] } } }
modules:
  m: { ${request} }
`);
    expect(message.split('\n')).toEqual([
      expect.stringMatching(/^<dir>\/apiprobe\.yml:2:44 auths\.a\.tls\.pins\[0\]: "nope" is not a fingerprint/),
      '<dir>/apiprobe.yml:3:103 auths.o.oauth2.tls.pins: pins and trust are not checked on the token endpoint: give ca_file (or ca)',
    ]);
  });

  it('says at load that the known hosts file could not be written', async () => {
    expect(await problems(`tls: { known_hosts_file: missing/known_hosts }\nmodules:\n  m: { ${request} }\n`))
      .toBe('<dir>/apiprobe.yml:1:26 tls.known_hosts_file: the folder of <dir>/missing/known_hosts is not there (ENOENT): the known hosts could not be written');
  });

  it.each([
    ['{ pins: [PIN] }', 'never', 1],
    ['{ pins: [PIN], trust: ca }', 'always', 1],
    ['{ pins: [PIN], ca_file: ca.pem }', 'always', 1],
    ['{ trust: first_use }', 'never', 0],
    ['{ trust: ca }', 'always', 0],
    ['{}', 'unless_pinned', 0],
    ['{ insecure_skip_verify: true }', 'never', 0],
  ])('tls: %s verifies the chain: %s', async (tls, chain, sets) => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'ca.pem'), '');
    await writeFile(path.join(dir, 'apiprobe.yml'), `modules:\n  m: { tls: ${tls.replace('PIN', `'${'a'.repeat(64)}'`)}, ${request} }\n`);
    const config = await loadConfig(path.join(dir, 'apiprobe.yml'));
    const { verify } = config.modules.get('m')!.transport;
    expect([verify.chain, verify.pins.length]).toEqual([chain, sets]);
    await config.close();
  });

  it('names the file, line and device of a bad entry in the pins file', async () => {
    const message = await problems(`tls: { pins_file: pins.yml }\nmodules:\n  m: { ${request} }\n`, { 'pins.yml': `10.0.0.1:443: ${'a'.repeat(64)}\n'bad host/x': ${'a'.repeat(64)}\n10.0.0.2: [ok]\n` });
    expect(message.split('\n')).toEqual([
      '<dir>/pins.yml:2:1 ["bad host/x"]: "bad host/x" is not a device (host:port)',
      '<dir>/pins.yml:3:12 ["10.0.0.2"][0]: "ok" is not a fingerprint (expected AB:CD:… or 64 hex digits (SHA-256 of the certificate), spki:<64 hex digits> or sha256/<base64> (SHA-256 of the public key))',
    ]);
  });
});
