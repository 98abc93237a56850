// --web.workers N: N worker processes share the listening socket (node:cluster) so
// one machine's cores are all used. The primary only supervises: it restarts a
// worker that dies, aggregates /metrics over all workers (prom-client's
// AggregatorRegistry), and turns a reload (SIGHUP, or POST /-/reload on any
// worker) into a reload of every worker.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from '../log.js';

type Message =
  | { type: 'apiprobe:metrics'; id: number }
  | { type: 'apiprobe:metrics-reply'; id: number; text: string; contentType: string }
  | { type: 'apiprobe:reload'; id: number }
  | { type: 'apiprobe:reload-reply'; id: number; error: string | undefined }
  | { type: 'apiprobe:do-reload'; id: number }
  | { type: 'apiprobe:do-reload-reply'; id: number; error: string | undefined };

function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('apiprobe:');
}

/** The primary process: forks and supervises the workers; resolves when they have all stopped. */
export async function runPrimary(workers: number, logger: Logger): Promise<void> {
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let nextId = 1;
  const fork = (): Worker => {
    const w = cluster.fork();
    w.on('message', (m: unknown) => void handle(w, m));
    return w;
  };
  const live = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());

  // Reloads every worker; the first problem is the answer.
  const reloadAll = async (): Promise<string | undefined> => {
    const id = nextId++;
    const answers = live().map(
      (w) =>
        new Promise<string | undefined>((resolve) => {
          const onMessage = (m: unknown): void => {
            if (isMessage(m) && m.type === 'apiprobe:do-reload-reply' && m.id === id) {
              w.off('message', onMessage);
              resolve(m.error);
            }
          };
          w.on('message', onMessage);
          w.send({ type: 'apiprobe:do-reload', id } satisfies Message);
        }),
    );
    const errors = (await Promise.all(answers)).filter((e) => e !== undefined);
    return errors[0];
  };

  const handle = async (w: Worker, m: unknown): Promise<void> => {
    if (!isMessage(m)) return;
    if (m.type === 'apiprobe:metrics') {
      let text: string;
      try {
        text = await aggregator.clusterMetrics();
      } catch (err) {
        text = `# metrics of some workers are missing: ${(err as Error).message}\n`;
      }
      w.send({ type: 'apiprobe:metrics-reply', id: m.id, text, contentType: aggregator.contentType } satisfies Message);
    } else if (m.type === 'apiprobe:reload') {
      w.send({ type: 'apiprobe:reload-reply', id: m.id, error: await reloadAll() } satisfies Message);
    }
  };

  for (let i = 0; i < workers; i++) fork();
  cluster.on('exit', (w, code, signal) => {
    if (stopping) return;
    logger.error({ pid: w.process.pid, code, signal }, 'worker died; starting another');
    fork();
  });
  logger.info({ workers }, 'started workers');

  process.on('SIGHUP', () => {
    void reloadAll().then((error) => {
      if (error) logger.error({ err: error }, 'reload failed in a worker');
    });
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      stopping = true;
      logger.info({ signal }, 'stopping workers');
      for (const w of live()) w.process.kill('SIGTERM');
      const check = (): void => {
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve();
      };
      cluster.on('exit', check);
      check();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/** A worker's link to the primary: aggregated metrics and cluster-wide reloads. */
export class WorkerLink {
  private nextId = 1;
  private readonly waiting = new Map<number, (m: Message) => void>();

  constructor(registry: Registry, reloadHere: () => Promise<void>) {
    AggregatorRegistry.setRegistries([registry]);
    // Constructing one installs prom-client's answer to the primary's metric requests.
    new AggregatorRegistry();
    process.on('message', (m: unknown) => {
      if (!isMessage(m)) return;
      if (m.type === 'apiprobe:do-reload') {
        reloadHere().then(
          () => process.send!({ type: 'apiprobe:do-reload-reply', id: m.id, error: undefined } satisfies Message),
          (err: Error) => process.send!({ type: 'apiprobe:do-reload-reply', id: m.id, error: err.message } satisfies Message),
        );
      } else if (m.type === 'apiprobe:metrics-reply' || m.type === 'apiprobe:reload-reply') {
        this.waiting.get(m.id)?.(m);
        this.waiting.delete(m.id);
      }
    });
  }

  private ask(type: 'apiprobe:metrics' | 'apiprobe:reload'): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      process.send!({ type, id } satisfies Message);
    });
  }

  async metrics(): Promise<{ text: string; contentType: string }> {
    const m = await this.ask('apiprobe:metrics');
    return m.type === 'apiprobe:metrics-reply' ? { text: m.text, contentType: m.contentType } : { text: '', contentType: 'text/plain' };
  }

  /** Reloads every worker; throws with the first problem. */
  async reload(): Promise<void> {
    const m = await this.ask('apiprobe:reload');
    if (m.type === 'apiprobe:reload-reply' && m.error !== undefined) throw new Error(m.error);
  }
}

export { cluster };
