// Trust on first use (tls: { trust: first_use }), as SSH's known_hosts: the public key
// a device presents first is recorded, later connections must present the same one.
// Kept in memory, and in the state file the operator names (tls.known_hosts_file of
// apiprobe.yml), one line per device:
//
//   127.0.0.1:8443 sha256/ZpnvDzfI/UEtusO9O3MmcbIaYVnm6IfVoWSHVtzNz9g= 2026-12-07T21:25:14Z
//
// The file is written whole to a temporary file then renamed over the old one, so a
// crash leaves the old or the new file, never half of one. A line that does not parse
// is reported (file and line) and kept as it is when the file is written again; the
// other lines keep working. A device whose own line is broken is refused until the
// line is fixed or its key accepted, never recorded anew.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { formatPin, parsePin, PinError } from './pins.js';

/** Devices recorded at most: past it, a new device is refused (the store never grows without bound). */
export const KNOWN_HOSTS_MAX = 50_000;
/** Past this size the file is not read: 50,000 records take about 5 MB. */
const FILE_MAX_BYTES = 32 * 1024 * 1024;
/** Keys refused lately, by device, for `POST /-/tls/accept` without a pin. */
const REFUSED_MAX = 1_000;

export interface KnownHostsProblem {
  file: string;
  line: number;
  message: string;
}

interface Entry {
  /** sha256/<base64> of the public key. */
  pin: string;
  seen: string;
}

export type FirstUse =
  | { ok: true; recorded: boolean }
  | { ok: false; reason: string };

const DEVICE = /^(?:\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/;

export class KnownHosts {
  private entries = new Map<string, Entry>();
  /** Devices whose line in the file does not parse: refused until fixed or accepted. */
  private broken = new Map<string, KnownHostsProblem>();
  /** The file's lines in order: records by device, the rest (comments, lines that do not parse) as they are. */
  private layout: Line[] = [];
  /** Recorded here and not in the file yet. */
  private readonly pending = new Set<string>();
  private readonly refused = new Map<string, string>();
  private stamp = '';
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  problems: KnownHostsProblem[] = [];
  /** Told of problems found reading or writing the file. */
  onProblem: (problem: KnownHostsProblem) => void = () => {};

  constructor(readonly file: string | undefined, readonly max = KNOWN_HOSTS_MAX) {
    if (file !== undefined) {
      // Said at load rather than at the first record, which could only log it.
      let dir;
      try {
        dir = statSync(path.dirname(file));
      } catch (err) {
        throw new Error(`the folder of ${file} is not there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): the known hosts could not be written`);
      }
      if (!dir.isDirectory()) throw new Error(`${path.dirname(file)} is not a folder: the known hosts file ${file} could not be written`);
    }
    this.refresh(true);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Reads the file again if it changed since it was last read (or written). */
  refresh(strict = false): void {
    if (this.file === undefined) return;
    const stamp = this.stampOf();
    if (stamp === this.stamp) return;
    let text = '';
    try {
      if (statSync(this.file).size > FILE_MAX_BYTES) throw Object.assign(new Error(`larger than ${FILE_MAX_BYTES} bytes`), { code: 'EFBIG' });
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        const message = `cannot read the known hosts file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
        // At config load this fails the load; later the records in memory stay in force.
        if (strict) throw new Error(`${this.file}: ${message}`);
        this.onProblem({ file: this.file, line: 0, message });
        return;
      }
    }
    this.stamp = stamp;
    const parsed = parse(this.file, text, this.max);
    const { entries, broken, problems } = parsed;
    let layout = parsed.layout;
    // What this process recorded or accepted and has not written yet is newer than the
    // file as last read, and survives; anything else the operator removed or replaced in
    // the file is gone from memory too.
    for (const device of this.pending) {
      const mine = this.entries.get(device);
      if (!mine) continue;
      entries.set(device, mine);
      broken.delete(device);
      layout = layout.filter((l) => !('raw' in l) || l.device !== device);
    }
    this.entries = entries;
    this.broken = broken;
    this.layout = layout;
    this.problems = problems;
    for (const p of problems) this.onProblem(p);
  }

  /** The recorded key of `device`, if any. */
  get(device: string): string | undefined {
    return this.entries.get(device)?.pin;
  }

  list(): Array<{ device: string; pin: string; seen: string }> {
    return [...this.entries].map(([device, e]) => ({ device, ...e }));
  }

  /** Checks the key `pin` (sha256/<base64>) presented by `device`, recording it when the device is new. */
  check(device: string, pin: string): FirstUse {
    let entry = this.entries.get(device);
    if (entry?.pin === pin) return { ok: true, recorded: false };
    // The file may have been edited since (apiprobe tls accept, or by hand).
    this.refresh();
    entry = this.entries.get(device);
    if (entry?.pin === pin) return { ok: true, recorded: false };
    const how = this.howToAccept(device);
    const broken = this.broken.get(device);
    if (broken) {
      this.remember(device, pin);
      return { ok: false, reason: `the known hosts entry of ${device} is not valid (${broken.file}:${broken.line}: ${broken.message}); fix that line, or ${how}` };
    }
    if (entry) {
      this.remember(device, pin);
      return {
        ok: false,
        reason: `the public key of ${device} changed: it presented ${pin}, ${entry.pin} was recorded when it was first seen (${entry.seen}); credentials were not sent. If the device's certificate was replaced, ${how}`,
      };
    }
    if (this.entries.size >= this.max) {
      return { ok: false, reason: `first use of ${device} not recorded: the known hosts hold ${this.max} devices already (their limit)` };
    }
    this.set(device, pin);
    return { ok: true, recorded: true };
  }

  /** Records `pin` for `device`, replacing what was recorded (an accepted key). */
  set(device: string, pin: string): void {
    this.entries.delete(device);
    this.entries.set(device, { pin, seen: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
    this.broken.delete(device);
    this.layout = this.layout.filter((l) => !('raw' in l) || l.device !== device);
    this.refused.delete(device);
    if (this.file === undefined) return;
    this.pending.add(device);
    void this.save();
  }

  /** The key `device` presented when it was last refused. */
  lastRefused(device: string): string | undefined {
    return this.refused.get(device);
  }

  /** Writes the file; resolves once every change made so far is on disk. */
  save(): Promise<void> {
    if (this.file === undefined) return Promise.resolve();
    if (this.dirty) return this.writing;
    this.dirty = true;
    this.writing = this.writing.then(() => {
      this.dirty = false;
      try {
        this.writeNow();
      } catch (err) {
        this.onProblem({ file: this.file!, line: 0, message: `cannot write the known hosts file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      }
    });
    return this.writing;
  }

  private writeNow(): void {
    const file = this.file!;
    // Changes made by another process since the last read are merged, not overwritten.
    this.refresh();
    let text = this.layout.length ? '' : HEADER;
    const written = new Set<string>();
    const record = (device: string, e: Entry): string => `${device} ${e.pin}${e.seen ? ` ${e.seen}` : ''}\n`;
    // Every line stays where it was, a record with its current key; new records at the end.
    for (const line of this.layout) {
      if ('raw' in line) {
        text += `${line.raw}\n`;
        continue;
      }
      const e = this.entries.get(line.device);
      if (!e || written.has(line.device)) continue;
      written.add(line.device);
      text += record(line.device, e);
    }
    for (const [device, e] of this.entries) if (!written.has(device)) text += record(device, e);
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    this.pending.clear();
    this.stamp = this.stampOf();
  }

  private remember(device: string, pin: string): void {
    this.refused.delete(device);
    if (this.refused.size >= REFUSED_MAX) this.refused.delete(this.refused.keys().next().value!);
    this.refused.set(device, pin);
  }

  private howToAccept(device: string): string {
    const where = this.file === undefined ? ' (the records are in memory: no tls.known_hosts_file)' : ` or delete its line in ${this.file}`;
    return `accept the new key with \`apiprobe tls accept ${device}\` or POST /-/tls/accept?target=${device}${where}`;
  }

  private stampOf(): string {
    try {
      const s = statSync(this.file!);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }
}

const HEADER = '# apiprobe known hosts (tls: { trust: first_use }): device, SHA-256 of its public key, when it was first seen.\n'
  + '# A device whose key changed is refused; accept its new key with `apiprobe tls accept DEVICE`, or delete its line.\n';

type Line = { raw: string; device: string | undefined } | { device: string };

interface Parsed {
  entries: Map<string, Entry>;
  broken: Map<string, KnownHostsProblem>;
  layout: Line[];
  problems: KnownHostsProblem[];
}

function parse(file: string, text: string, max: number): Parsed {
  const entries = new Map<string, Entry>();
  const broken = new Map<string, KnownHostsProblem>();
  const layout: Line[] = [];
  const problems: KnownHostsProblem[] = [];
  const lineOf = new Map<string, number>();
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      layout.push({ raw, device: undefined });
      return;
    }
    const fields = trimmed.split(/\s+/);
    // `breaks`: the line is the device's only record, which is not valid: the device is refused.
    const bad = (message: string, device?: string, breaks = false): void => {
      const problem = { file, line, message };
      problems.push(problem);
      layout.push({ raw, device });
      if (breaks && device !== undefined) broken.set(device, problem);
    };
    const device = fields[0]!;
    if (!DEVICE.test(device)) return bad(`${JSON.stringify(device.slice(0, 80))} is not a device (host:port)`);
    if (entries.has(device) || broken.has(device)) return bad(`${device} is already on line ${lineOf.get(device)}`, device);
    lineOf.set(device, line);
    if (fields.length < 2 || fields.length > 3) return bad('expected: host:port sha256/<base64 of the public key> [first seen]', device, true);
    let pin: string;
    try {
      const parsed = parsePin(fields[1]!);
      if (parsed.kind !== 'spki') throw new PinError('the known hosts record the public key (sha256/<base64> or spki:<hex>), not the certificate');
      pin = formatPin(parsed);
    } catch (err) {
      return bad((err as Error).message, device, true);
    }
    if (entries.size >= max) return bad(`more than ${max} devices: this one and later ones are ignored`, device);
    entries.set(device, { pin, seen: fields[2] ?? '' });
    layout.push({ device });
  });
  return { entries, broken, layout, problems };
}

/**
 * The known hosts of a running exporter, kept across reloads: the same store while the
 * configuration names the same file (read again if it changed), a new one when it
 * names another. Without a file the records live as long as the process.
 */
export class KnownHostsCache {
  private last: KnownHosts | undefined;

  constructor(private readonly onProblem: (problem: KnownHostsProblem) => void = () => {}) {}

  get(file: string | undefined): KnownHosts {
    if (this.last && this.last.file === file) {
      this.last.refresh(true);
      return this.last;
    }
    const store = new KnownHosts(file);
    store.onProblem = this.onProblem;
    for (const p of store.problems) this.onProblem(p);
    this.last = store;
    return store;
  }
}
