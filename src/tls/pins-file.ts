// tls.pins_file of apiprobe.yml: fingerprints per device, for every module that
// connects to it, read with the rest of the configuration (so on reload too):
//
//   bmc1.example.net:443: sha256/ZpnvDzfI/UEtusO9O3MmcbIaYVnm6IfVoWSHVtzNz9g=
//   10.0.0.5:8443: ['1B:E2:B5:…', 'spki:66…']
//
// A device is host:port (port 443 when left out), spelt as probes spell it.
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { fieldPath, type ConfigProblem } from '../spec/errors.js';
import { deviceKey } from './verify.js';
import { parsePin, PinError, type Pin, type PinSet } from './pins.js';

export async function loadPinsFile(file: string, problems: ConfigProblem[]): Promise<Map<string, PinSet>> {
  const out = new Map<string, PinSet>();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    problems.push({ file, line: 0, column: 0, field: '', message: `cannot read the pins file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return out;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problem = (node: Node | null | undefined, p: PropertyKey[], message: string): void => {
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    problems.push({ file, line: pos.line, column: pos.col, field: fieldPath(p), message });
  };
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const pos = lines.linePos(e.pos[0]);
      problems.push({ file, line: pos.line, column: pos.col, field: '', message: e.message.split('\n')[0]! });
    }
    return out;
  }
  if (doc.contents === null) return out;
  if (!isMap(doc.contents)) {
    problem(doc.contents, [], 'expected a map of devices (host:port) to fingerprints');
    return out;
  }
  for (const pair of doc.contents.items) {
    const keyNode = isScalar(pair.key) ? pair.key : undefined;
    const raw: unknown = keyNode?.value;
    const name = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
    const device = parseDevice(name);
    if (device === undefined) {
      problem(keyNode, [name], `${JSON.stringify(name)} is not a device (host:port)`);
      continue;
    }
    const items = isSeq(pair.value) ? pair.value.items : [pair.value];
    const pins: Pin[] = [];
    items.forEach((item, i) => {
      const at = isSeq(pair.value) ? [name, i] : [name];
      if (!isScalar(item) || typeof item.value !== 'string') return problem(item, at, 'expected a fingerprint (a string) or a list of them');
      try {
        pins.push(parsePin(item.value));
      } catch (err) {
        if (!(err instanceof PinError)) throw err;
        problem(item, at, err.message);
      }
    });
    if (pins.length === 0 && items.length === 0) problem(keyNode, [name], 'no fingerprint given');
    if (out.has(device)) problem(keyNode, [name], `${device} is listed twice`);
    if (pins.length) out.set(device, { source: `${file} (${device})`, pins });
  }
  return out;
}

/** A device as host:port (443 when left out), or as an https:// URL of it. */
export function parseDevice(text: string): string | undefined {
  const name = text.trim().replace(/^https:\/\//i, '').replace(/\/$/, '');
  if (name === '' || /[\s/?#@]/.test(name)) return undefined;
  let url: URL;
  try {
    url = new URL(`https://${name}`);
  } catch {
    return undefined;
  }
  return deviceKey(url.hostname, url.port, 'https:');
}
