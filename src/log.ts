// Logging through pino. Prometheus exporters log logfmt by default
// (`ts=… level=info msg=…`), so that is the default here too; --log.format=json
// gives pino's own JSON lines.
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export type LogFormat = 'logfmt' | 'json';

/**
 * Text from outside (a target, a device's answer, a reason quoting either) as it goes
 * into a log line or a one-line error: at most `max` characters, the rest counted.
 */
export function clip(text: string, max = 256): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length - max} more characters)`;
}
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type { Logger };

export function createLogger(level: LogLevel, format: LogFormat, out: NodeJS.WritableStream = process.stderr): Logger {
  const options = {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (format === 'json') return pino(options, pino.destination({ dest: fdOf(out), sync: true }));
  return pino(options, logfmtStream(out));
}

function fdOf(out: NodeJS.WritableStream): number {
  return out === process.stdout ? 1 : 2;
}

/** Re-encodes pino's JSON lines as logfmt, keeping key order (ts, level, msg first). */
function logfmtStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      const record = JSON.parse(chunk.toString('utf8')) as Record<string, unknown>;
      const { time, level, msg, ...rest } = record;
      const fields: Array<[string, unknown]> = [['ts', time], ['level', level], ['msg', msg], ...Object.entries(rest)];
      out.write(`${fields.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${logfmtValue(v)}`).join(' ')}\n`);
      done();
    },
  });
}

function logfmtValue(v: unknown): string {
  // A JSON value (the record is pino's JSON line): numbers and booleans as they are,
  // objects, arrays and null as JSON.
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return /^[^\s"=\\]+$/.test(s) ? s : JSON.stringify(s);
}
