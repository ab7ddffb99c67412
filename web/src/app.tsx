import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Job, type Progress } from './api';
import { useLoad, useThrottled } from './hooks';
import { connectLive, type LiveState } from './live';
import { ActionsPanel, type Outcome } from './panels/actions';
import { HealthPanel } from './panels/health';
import { HistoryPanel } from './panels/history';
import { JobDialog } from './panels/job-dialog';
import { JobsPanel } from './panels/jobs';
import { NowPanel, type QueueSummary } from './panels/now';

/** At most this often the page reloads a list after live events (a burst of webhooks is one reload). */
const RELOAD_THROTTLE_MS = 400;
const OUTCOMES_SHOWN = 4;

interface Ticks {
  jobs: number;
  health: number;
  history: number;
}

export function App() {
  const [live, setLive] = useState<LiveState>('connecting');
  const [ticks, setTicks] = useState<Ticks>({ jobs: 0, health: 0, history: 0 });
  const [progress, setProgress] = useState<ReadonlyMap<number, Progress>>(new Map());
  const [openJob, setOpenJob] = useState<number | null>(jobFromHash());
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const outcomeIds = useRef(0);

  const bump = (...keys: (keyof Ticks)[]) =>
    setTicks((t) => {
      const next = { ...t };
      for (const key of keys) next[key] += 1;
      return next;
    });
  const reloadJobs = useThrottled(() => bump('jobs', 'history'), RELOAD_THROTTLE_MS);
  const reloadHealth = useThrottled(() => bump('health'), RELOAD_THROTTLE_MS);

  useEffect(
    () =>
      connectLive('events', ['job', 'progress', 'health'], {
        onState: setLive,
        // Whatever happened while the stream was away: load everything again.
        onOpen: () => {
          setProgress(new Map());
          bump('jobs', 'health', 'history');
        },
        onEvent: (type, data) => {
          if (type === 'progress' && isProgressEvent(data)) {
            setProgress((previous) => new Map(previous).set(data.job_id, data));
          } else if (type === 'job') {
            reloadJobs();
          } else if (type === 'health') {
            reloadHealth();
          }
        },
      }),
    [],
  );

  useEffect(() => {
    const onHash = () => setOpenJob(jobFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const running = useLoad((signal) => api.jobs({ status: 'in_progress' }, 100, undefined, signal), [ticks.jobs]);
  const queued = useLoad((signal) => api.jobs({ status: 'queued' }, 1000, undefined, signal), [ticks.jobs]);
  const health = useLoad((signal) => api.healthDetails(signal), [ticks.health]);
  const history = useLoad((signal) => api.history(signal), [ticks.history]);
  const mappings = health.data?.mappings.map((m) => m.container) ?? [];

  const run = useCallback(async <T,>(action: () => Promise<T>, describe: (answer: T) => string) => {
    let outcome: Omit<Outcome, 'id'>;
    try {
      outcome = { ok: true, text: describe(await action()) };
    } catch (error) {
      const status = error instanceof ApiError ? ` (${error.status})` : '';
      outcome = { ok: false, text: `Failed${status}: ${error instanceof Error ? error.message : String(error)}` };
    }
    outcomeIds.current += 1;
    const id = outcomeIds.current;
    setOutcomes((previous) => [{ ...outcome, id }, ...previous].slice(0, OUTCOMES_SHOWN));
    bump('jobs');
  }, []);

  const open = (id: number) => {
    window.location.hash = `job-${id}`;
  };
  const close = () => {
    if (window.location.hash) window.history.replaceState(null, '', window.location.pathname + window.location.search);
    setOpenJob(null);
  };

  return (
    <>
      <header class="top">
        <h1>sync-webhook</h1>
        <nav aria-label="Panels">
          <a href="#now-heading">Now</a>
          <a href="#jobs-heading">Jobs</a>
          <a href="#actions-heading">Actions</a>
          <a href="#health-heading">Health</a>
          <a href="#history-heading">History</a>
        </nav>
        <p class={`live live-${live}`} role="status" data-live={live}>
          {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </p>
      </header>
      <main class="grid">
        <NowPanel
          running={running.data?.jobs}
          queue={queueSummary(queued.data?.jobs, running.data?.jobs, progress)}
          progress={progress}
          onOpenJob={open}
        />
        <ActionsPanel mappings={mappings} run={run} outcomes={outcomes} />
        <JobsPanel reload={ticks.jobs} mappings={mappings} onOpenJob={open} />
        <HealthPanel health={health.data} error={health.error} />
        <HistoryPanel history={history.data} error={history.error} />
      </main>
      {openJob !== null && (
        <JobDialog
          jobId={openJob}
          reload={ticks.jobs}
          onClose={close}
          onRetry={(id) =>
            run(
              () => api.retry(id),
              () => `Job ${id} queued again.`,
            )
          }
        />
      )}
    </>
  );
}

function jobFromHash(): number | null {
  const match = /^#job-(\d+)$/.exec(window.location.hash);
  return match ? Number(match[1]) : null;
}

function isProgressEvent(data: unknown): data is Progress & { job_id: number } {
  return typeof data === 'object' && data !== null && 'job_id' in data && typeof data.job_id === 'number';
}

/** The queue's size and an estimate at the speed of the copies running now. */
function queueSummary(
  queued: Job[] | undefined,
  running: Job[] | undefined,
  progress: ReadonlyMap<number, Progress>,
): QueueSummary | undefined {
  if (!queued) return undefined;
  const total = queued.reduce((sum, job) => sum + (job.details.sizeBytes ?? 0), 0);
  const rate = (running ?? []).reduce((sum, job) => sum + rateOf(progress.get(job.id) ?? job.progress), 0);
  return {
    count: queued.length,
    total_bytes: total,
    eta_seconds: rate > 0 ? total / rate : null,
    rate_basis: rate > 0 ? 'running' : null,
    rate_bytes_per_second: rate > 0 ? rate : null,
    next: [...queued].reverse().slice(0, 5),
  };
}

const RATE_UNITS: Record<string, number> = { B: 1, kB: 1024, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

function rateOf(p: Progress | null | undefined): number {
  const match = p ? /^([\d.]+)([kKMG]?B)\/s$/.exec(p.rate) : null;
  return match ? Number(match[1]) * (RATE_UNITS[match[2] ?? 'B'] ?? 1) : 0;
}
