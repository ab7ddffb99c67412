import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onStopSignals } from './stop-signals.js';

function recorder() {
  const lines: string[] = [];
  const exits: number[] = [];
  const log = {
    info: (line: string) => lines.push(`INFO ${line}`),
    error: (line: string) => lines.push(`ERROR ${line}`),
  };
  return { lines, exits, log, exit: (code: number) => void exits.push(code), signals: new EventEmitter() };
}

describe('onStopSignals', () => {
  it('stops once, on the first of SIGTERM and SIGINT, and says which', async () => {
    const r = recorder();
    let stops = 0;
    onStopSignals({ ...r, graceMs: 60_000 }, async () => void stops++);
    r.signals.emit('SIGINT');
    r.signals.emit('SIGTERM');
    r.signals.emit('SIGINT');
    expect(stops).toBe(1);
    expect(r.lines).toEqual(['INFO SIGINT received: no new webhooks, stopping rsync, recording interrupted jobs']);
    expect(r.exits).toEqual([]);
  });

  it('exits 1, saying so, when stopping takes longer than the grace', async () => {
    const r = recorder();
    onStopSignals({ ...r, graceMs: 20 }, () => new Promise(() => {}));
    r.signals.emit('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(r.lines.at(-1)).toBe('ERROR Shutdown took too long; exiting now');
    expect(r.exits).toEqual([1]);
  });
});
