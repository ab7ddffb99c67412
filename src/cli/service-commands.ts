// The commands that talk to the running service: jobs, retry, sync, test, summary (reconcile has its own
// file). Each calls one
// route of the API (docs/cli.md names it) and prints the answer for a person; `jobs --json` prints it
// for a script.
import { z } from 'zod';
import { localDateTime } from '../core/day.js';
import { JOB_STATUSES } from '../core/types.js';
import type { Command, CommandInput } from './command.js';
import type { CliContext } from './context.js';
import { EXIT, ServiceFailureError, UsageError } from './exit-codes.js';
import { createServiceClient, type ServiceClient } from './service-client.js';
import { renderTable } from './table.js';

export const URL_OPTION = { url: { type: 'string' } } as const;
export const URL_HELP = '--url URL      the service (default: SYNC_URL, else http://127.0.0.1:$SYNC_PORT)';
const MAX_LIMIT = 1000;

/** The client, with the URL and credentials of the environment the service reads. */
export function connect(input: CommandInput, ctx: CliContext): { client: ServiceClient; timeZone: string } {
  const config = ctx.config();
  const client = createServiceClient(input.string('url'), ctx.env, config, ctx);
  return { client, timeZone: config.timeZone };
}

export function say(ctx: CliContext, line: string): number {
  ctx.stdout.write(`${line}\n`);
  return EXIT.ok;
}

/** The fields of a job (GET /jobs) the table shows; anything else the service adds is ignored. */
const jobRow = z.object({
  id: z.number(),
  status: z.string(),
  source: z.string(),
  title: z.string(),
  mapping: z.string(),
  retry_count: z.number(),
  gave_up: z.boolean(),
  error: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  next_attempt_at: z.string().nullable(),
  progress: z.object({ percent: z.number() }).nullable().optional(),
});
const jobList = z.object({ jobs: z.array(jobRow) });
type JobRow = z.infer<typeof jobRow>;

export const jobsCommand: Command = {
  name: 'jobs',
  usage: 'jobs [--status STATUS] [--limit N] [--json] [--url URL]',
  summary: 'List recent jobs, newest first',
  options: { status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, ...URL_OPTION },
  positionals: { min: 0, max: 0 },
  help: [
    `--status STATUS  only jobs in this status: ${JOB_STATUSES.join(', ')}`,
    `--limit N        at most N jobs (1-${MAX_LIMIT}, default 50)`,
    '--json           the answer of GET /jobs as it is, for scripts',
    URL_HELP,
  ],
  async run(input, ctx) {
    const status = input.string('status');
    if (status !== undefined && !JOB_STATUSES.some((s) => s === status)) {
      throw new UsageError(`--status must be one of ${JOB_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
    }
    const limit = input.string('limit');
    if (limit !== undefined && !(/^\d{1,4}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= MAX_LIMIT)) {
      throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limit)}`);
    }
    const { client, timeZone } = connect(input, ctx);
    const query = new URLSearchParams({ ...(status ? { status } : {}), ...(limit ? { limit } : {}) });
    const answer = await client.call('GET', `/jobs${query.size > 0 ? `?${query}` : ''}`);
    if (input.flag('json')) return say(ctx, JSON.stringify(answer.body, null, 2));
    const parsed = jobList.safeParse(answer.body);
    if (!parsed.success) {
      throw new ServiceFailureError(`GET /jobs answered without a list of jobs: is ${client.shownUrl} sync-webhook?`);
    }
    const jobs = parsed.data.jobs;
    if (jobs.length === 0) return say(ctx, status ? `No ${status} jobs.` : 'No jobs yet.');
    const rows = jobs.map((job) => [
      String(job.id),
      statusOf(job),
      job.source,
      job.title,
      job.mapping,
      String(job.retry_count),
      localTime(job.finished_at ?? job.started_at ?? job.created_at, timeZone),
      noteOf(job, timeZone),
    ]);
    const header = ['ID', 'STATUS', 'SOURCE', 'TITLE', 'MAPPING', 'RETRIES', `WHEN (${timeZone})`, 'NOTE'];
    const width = ctx.stdout.isTTY ? ctx.stdout.columns : undefined;
    for (const line of renderTable(header, rows, width)) ctx.stdout.write(`${line}\n`);
    return EXIT.ok;
  },
};

function statusOf(job: JobRow): string {
  if (job.status === 'failed' && job.gave_up) return 'failed (gave up)';
  if (job.status === 'in_progress' && job.progress) return `in_progress ${job.progress.percent}%`;
  return job.status;
}

function noteOf(job: JobRow, timeZone: string): string {
  const retry =
    job.status === 'failed' && !job.gave_up && job.next_attempt_at
      ? `retry at ${localTime(job.next_attempt_at, timeZone)}`
      : '';
  return [retry, job.error ?? ''].filter(Boolean).join(': ');
}

/** "YYYY-MM-DD HH:MM" in the service's zone (TZ); the instant as given when it is no date. */
function localTime(iso: string, timeZone: string): string {
  const instant = new Date(iso);
  return Number.isNaN(instant.getTime()) ? iso : localDateTime(instant, timeZone).slice(0, 16);
}

export const retryCommand: Command = {
  name: 'retry',
  usage: 'retry <id> | retry --failed  [--url URL]',
  summary: 'Queue a failed job again, or every job that failed in the last 24 h',
  options: { failed: { type: 'boolean' }, ...URL_OPTION },
  positionals: { min: 0, max: 1 },
  help: [
    '<id>           a failed job (sync-webhook jobs --status failed lists them)',
    '--failed       every job that failed in the last 24 h',
    URL_HELP,
  ],
  async run(input, ctx) {
    const id = input.positionals[0];
    const all = input.flag('failed');
    if (all && id !== undefined) throw new UsageError('give either a job id or --failed, not both');
    if (!all && id === undefined) {
      throw new UsageError('give the id of a failed job (sync-webhook jobs --status failed lists them), or --failed');
    }
    if (id !== undefined && !/^\d{1,15}$/.test(id)) {
      throw new UsageError(`the job id must be a whole number, got ${JSON.stringify(id)}`);
    }
    const { client } = connect(input, ctx);
    if (id !== undefined) {
      await client.call('POST', `/jobs/${id}/retry`);
      return say(ctx, `Job ${id} is queued again.`);
    }
    const answer = await client.call('POST', '/queue/retry-failed');
    const ids = z.array(z.number()).safeParse(answer.body.job_ids);
    if (!ids.success) throw new ServiceFailureError('POST /queue/retry-failed answered without job_ids');
    if (ids.data.length === 0) return say(ctx, 'No job failed in the last 24 h: nothing to retry.');
    const jobs = ids.data.length === 1 ? 'job' : `${ids.data.length} jobs`;
    return say(ctx, `Queued again: ${jobs} ${ids.data.join(', ')}.`);
  },
};

export const syncCommand: Command = {
  name: 'sync',
  usage: 'sync <container path> [--type movie|tv] [--url URL]',
  summary: 'Queue a copy of a path, as Radarr/Sonarr name it (POST /sync/manual)',
  options: { type: { type: 'string' }, ...URL_OPTION },
  positionals: { min: 1, max: 1 },
  help: [
    '<container path>  the path as Radarr/Sonarr see it, e.g. "/movies/Dune (2021)"',
    '--type movie|tv   what it is, for the messages (default movie)',
    URL_HELP,
  ],
  async run(input, ctx) {
    const path = input.positionals[0] ?? '';
    const type = input.string('type') ?? 'movie';
    if (type !== 'movie' && type !== 'tv')
      throw new UsageError(`--type must be movie or tv, got ${JSON.stringify(type)}`);
    if (!path.startsWith('/')) {
      throw new UsageError(
        `the path must be a container path as Radarr/Sonarr see it, starting with /, got ${JSON.stringify(path)}`,
      );
    }
    const { client } = connect(input, ctx);
    const answer = await client.call('POST', '/sync/manual', { path, type });
    const id = answer.body.job_id;
    if (answer.body.status === 'duplicate') {
      return say(ctx, `Job ${id} already covers ${path} (queued, or copied in the last 24 h): nothing new queued.`);
    }
    return say(ctx, `Queued job ${id}: ${path}`);
  },
};

export const testCommand: Command = {
  name: 'test',
  usage: 'test [--url URL]',
  summary: 'Send a test notification through the running service',
  options: { ...URL_OPTION },
  positionals: { min: 0, max: 0 },
  help: [URL_HELP],
  async run(input, ctx) {
    const answer = await connect(input, ctx).client.call('POST', '/test');
    const targets = z.array(z.object({ id: z.string() })).safeParse(answer.body.targets);
    const ids = targets.success ? targets.data.map((t) => t.id) : [];
    return say(ctx, ids.length > 0 ? `Test notification sent to ${ids.join(', ')}.` : 'Test notification sent.');
  },
};

export const summaryCommand: Command = {
  name: 'summary',
  usage: 'summary [--url URL]',
  summary: "Send today's summary so far",
  options: { ...URL_OPTION },
  positionals: { min: 0, max: 0 },
  help: [URL_HELP],
  async run(input, ctx) {
    const answer = await connect(input, ctx).client.call('POST', '/summary/send');
    const day = String(answer.body.day);
    if (answer.body.notifications !== true) {
      throw new ServiceFailureError(
        `the summary of ${day} was not sent: the service has no notification target (set ` +
          'SYNC_NOTIFY_URLS, notify: in SYNC_CONFIG, or TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID where it runs)',
      );
    }
    return say(ctx, `Summary of ${day} queued for sending.`);
  },
};
