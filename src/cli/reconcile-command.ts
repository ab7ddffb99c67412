// `sync-webhook reconcile`: starts a catch-up pass (POST /reconcile), waits for it (GET /reconcile/<id>)
// and prints what it found, or queued. docs/catch-up.md describes the pass; docs/cli.md the command.
import { z } from 'zod';
import type { Command } from './command.js';
import type { CliContext } from './context.js';
import { EXIT, ServiceFailureError, UsageError } from './exit-codes.js';
import { connect, say, URL_HELP, URL_OPTION } from './service-commands.js';
import { renderTable } from './table.js';

/** How often the pass is asked whether it is done. */
const POLL_MS = 1000;

const passAnswer = z.object({
  reconcile_id: z.number(),
  status: z.string(),
  queue: z.boolean(),
  error: z.string().nullable(),
  // Both null while the pass runs.
  totals: z.object({ items: z.number(), bytes: z.number(), mappings_skipped: z.number() }).nullable(),
  results: z.array(z.object({ mapping: z.string(), status: z.string(), problem: z.string().nullable() })).nullable(),
  items: z.array(
    z.object({
      container_path: z.string(),
      size: z.number(),
      why: z.string(),
      job_id: z.number().nullable(),
    }),
  ),
});
type Pass = z.infer<typeof passAnswer>;

export const reconcileCommand: Command = {
  name: 'reconcile',
  usage: 'reconcile [--queue] [--mapping PATH]... [--detach] [--url URL]',
  summary: 'Find what the destination lacks (a catch-up pass); with --queue, queue it',
  options: {
    queue: { type: 'boolean' },
    mapping: { type: 'string', multiple: true },
    detach: { type: 'boolean' },
    ...URL_OPTION,
  },
  positionals: { min: 0, max: 0 },
  help: [
    '--queue          queue one job per item found (default: only look)',
    '--mapping PATH   only this mapping, by its container path, e.g. /movies (repeatable)',
    '--detach         print the pass id and return at once instead of waiting for the result',
    URL_HELP,
  ],
  async run(input, ctx) {
    const mappings = input.strings('mapping');
    for (const mapping of mappings) {
      if (!mapping.startsWith('/')) {
        throw new UsageError(
          `--mapping takes a mapping's container path, e.g. /movies, got ${JSON.stringify(mapping)}`,
        );
      }
    }
    const { client } = connect(input, ctx);
    const body = { ...(input.flag('queue') ? { queue: true } : {}), ...(mappings.length ? { mappings } : {}) };
    const started = await client.call('POST', '/reconcile', body);
    const id = z.number().safeParse(started.body.reconcile_id);
    if (!id.success) throw new ServiceFailureError('POST /reconcile answered without a reconcile_id');
    if (input.flag('detach')) return say(ctx, `Catch-up pass ${id.data} started: sync-webhook reconcile shows it.`);
    for (;;) {
      const answer = await client.call('GET', `/reconcile/${id.data}`);
      const pass = passAnswer.safeParse(answer.body);
      if (!pass.success) throw new ServiceFailureError(`GET /reconcile/${id.data} answered in an unknown shape`);
      if (pass.data.status !== 'running') return report(pass.data, ctx);
      await ctx.sleep(POLL_MS);
    }
  },
};

function report(pass: Pass, ctx: CliContext): number {
  const out = (line: string) => ctx.stdout.write(`${line}\n`);
  for (const result of pass.results ?? []) {
    if (result.problem) out(`${result.mapping}: ${result.status}: ${result.problem}`);
  }
  if (pass.items.length > 0) {
    const rows = pass.items.map((item) => [
      item.container_path,
      String(item.size),
      item.why,
      item.job_id === null ? '' : String(item.job_id),
    ]);
    const width = ctx.stdout.isTTY ? ctx.stdout.columns : undefined;
    for (const line of renderTable(['PATH', 'BYTES', 'WHY', 'JOB'], rows, width)) out(line);
  }
  const totals = pass.totals ?? { items: 0, bytes: 0, mappings_skipped: 0 };
  const found = `${totals.items} item(s), ${totals.bytes} bytes`;
  if (pass.status !== 'done' && pass.status !== 'timed_out') {
    throw new ServiceFailureError(
      `catch-up pass ${pass.reconcile_id} ended ${pass.status}: ${pass.error ?? 'no reason'}`,
    );
  }
  const ending = pass.status === 'timed_out' ? ' (ran out of time: SYNC_RECONCILE_TIMEOUT_SECONDS)' : '';
  if (pass.queue || totals.items === 0) out(`Catch-up pass ${pass.reconcile_id}: ${found}${ending}.`);
  else out(`Catch-up pass ${pass.reconcile_id}: ${found}, not queued${ending}. To queue them: --queue`);
  return totals.mappings_skipped > 0 ? EXIT.failed : EXIT.ok;
}
