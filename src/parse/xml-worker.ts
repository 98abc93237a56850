// fast-xml-parser off the event loop. It is a synchronous parser of ~90 ms per MiB of
// small elements (measured on this machine unloaded; validation included), so a large XML
// body parsed in the exporter's thread would hold every other probe and /-/healthy that
// long. Bodies past XML_INLINE_BYTES go to one worker thread instead, one at a time; the
// exporter's thread only copies the bytes over and takes the tree back (V8's
// deserializer: a few ms per 100,000 values, the values already drawn from the budget).
// A parse still running at its deadline ends the worker (a fresh one takes the next);
// a body that would need more heap than the worker has kills only the worker.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DEADLINE, type Parsed } from './types.js';

/** Up to this, a body is parsed in place: a few ms at most, and no copy. */
export const XML_INLINE_BYTES = 64 * 1024;

/** Heap of the worker: what a tree of the largest default budget (a million values) needs, with room. */
const WORKER_HEAP_MB = 192;

/** The options of XmlParser that can cross to the worker (no functions: isArray is rebuilt there from `arrays`). */
export const XML_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  processEntities: true,
} as const;

// CommonJS, evaluated as it is: the same source runs under tsx, vitest and dist/.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { XMLParser, XMLValidator } = require(workerData.module);
parentPort.on('message', ({ body, arrays }) => {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8').replace(/^\\ufeff/, '');
  let answer;
  try {
    const valid = XMLValidator.validate(text);
    if (valid !== true) {
      answer = { ok: false, error: 'invalid XML: ' + valid.err.msg + ' (line ' + valid.err.line + ', column ' + valid.err.col + ')' };
    } else {
      const names = new Set(arrays);
      const parser = new XMLParser({ ...workerData.options, isArray: (name, _jpath, _leaf, isAttribute) => !isAttribute && names.has(name) });
      answer = { ok: true, doc: parser.parse(text) };
    }
  } catch (err) {
    answer = { ok: false, error: 'invalid XML: ' + err.message };
  }
  parentPort.postMessage(answer);
});
`;

interface Job {
  body: Uint8Array;
  arrays: string[];
  due: number;
  done: (p: Parsed) => void;
}

const queue: Job[] = [];
let worker: Worker | undefined;
let running: Job | undefined;
let timer: NodeJS.Timeout | undefined;

/** Parses `body` in the worker; answers at `due` at the latest. */
export function parseXmlInWorker(body: Buffer, arrays: string[], due: number): Promise<Parsed> {
  return new Promise((done) => {
    // A copy: the worker gets its own bytes, and the probe's buffer stays the probe's.
    queue.push({ body: new Uint8Array(body), arrays, due, done });
    pump();
  });
}

function pump(): void {
  while (!running && queue.length) {
    const job = queue.shift()!;
    if (performance.now() >= job.due) {
      job.done({ ok: false, error: DEADLINE });
      continue;
    }
    running = job;
    const w = (worker ??= start());
    w.ref();
    // Its own buffer (copied in parseXmlInWorker): moved over, not copied again.
    w.postMessage({ body: job.body, arrays: job.arrays }, [job.body.buffer as ArrayBuffer]);
    // Node's timers overflow past 2^31−1 ms (and then fire at once); no deadline: no timer.
    if (Number.isFinite(job.due)) timer = setTimeout(() => finish({ ok: false, error: DEADLINE }, true), Math.min(Math.max(0, job.due - performance.now()), 2 ** 31 - 1));
  }
}

function finish(result: Parsed, stop = false): void {
  clearTimeout(timer);
  const job = running;
  running = undefined;
  if (stop && worker) {
    const w = worker;
    worker = undefined;
    void w.terminate();
  }
  worker?.unref();
  job?.done(result);
  pump();
}

function start(): Worker {
  const w = new Worker(SOURCE, {
    eval: true,
    workerData: { module: createRequire(import.meta.url).resolve('fast-xml-parser'), options: XML_OPTIONS },
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  w.on('message', (answer: Parsed) => {
    if (w === worker) finish(answer);
  });
  // Out of heap, or any other end: the job it had fails, the next one gets a fresh worker.
  w.on('error', (err: Error) => {
    if (w !== worker) return;
    worker = undefined;
    finish({ ok: false, error: `XML parser stopped: ${err.message}` });
  });
  w.on('exit', () => {
    if (w !== worker) return;
    worker = undefined;
    finish({ ok: false, error: 'XML parser stopped' });
  });
  w.unref();
  return w;
}
