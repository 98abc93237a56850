// A real Prometheus server for the tests, on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { requireProgram } from './system.js';
import { eventually } from './wait.js';

export const prometheusBin = requireProgram('prometheus', 'apt-get install -y prometheus');

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunningPrometheus {
  url: string;
  logs: () => string;
  stop(): Promise<void>;
}

/**
 * Starts prometheus on a free loopback port. A watchdog shell holds a pipe from this
 * process: if the test process dies without stopping Prometheus (a crashed or killed
 * worker), the pipe closes and the watchdog kills Prometheus by its pid.
 */
export async function startPrometheus(configFile: string, storage: string, attempt = 1): Promise<RunningPrometheus> {
  const port = await freePort();
  let logs = '';
  const child: ChildProcess = spawn(
    prometheusBin.path!,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=info',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (b: Buffer) => (logs += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (logs += b.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const watchdog = spawn('sh', ['-c', `read -r _ || kill -KILL ${child.pid}`], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.unref();

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    // A line (not EOF): the watchdog leaves without killing anything.
    watchdog.stdin.on('error', () => {});
    watchdog.stdin.end('\n');
  };

  const url = `http://127.0.0.1:${port}`;
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  try {
    await eventually(() => `prometheus to be ready within 15s:\n${logs}`, async () => {
      if (gone()) return true;
      try {
        return (await fetch(`${url}/-/ready`)).ok;
      } catch {
        return false; // not listening yet
      }
    }, { interval: 100 });
  } catch (err) {
    await stop();
    throw err;
  }
  if (gone()) {
    await stop();
    // The port was free a moment ago; another process may have taken it since.
    if (attempt < 3 && /address already in use/.test(logs)) return startPrometheus(configFile, storage, attempt + 1);
    throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${logs}`);
  }
  return { url, logs: () => logs, stop };
}

