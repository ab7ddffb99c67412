import type { EventEmitter } from 'node:events';

export interface StopSignalOptions {
  log: { info(line: string): void; error(line: string): void };
  /** Longest stop before `exit(1)`: Docker kills the container after its own grace anyway. */
  graceMs: number;
  exit: (code: number) => void;
  /** Where the signals come from; the process unless a test gives its own. */
  signals?: EventEmitter;
}

/**
 * Runs `stop` once, on the first SIGTERM or SIGINT (Docker sends SIGTERM, a terminal's Ctrl-C SIGINT;
 * another signal while stopping changes nothing), and exits 1, saying so, when it has not finished
 * within the grace.
 */
export function onStopSignals(o: StopSignalOptions, stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    o.log.info(`${signal} received: no new webhooks, stopping rsync, recording interrupted jobs`);
    setTimeout(() => {
      o.log.error('Shutdown took too long; exiting now');
      o.exit(1);
    }, o.graceMs).unref();
    void stop();
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) (o.signals ?? process).on(signal, () => handle(signal));
}
