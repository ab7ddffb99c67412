import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type HealthDetails, type JobsChanged, type Now, session } from './api';
import { useLoad } from './hooks';
import { connectLive, type LiveState } from './live';
import { ActionsPanel, type Outcome } from './panels/actions';
import { HealthPanel } from './panels/health';
import { HistoryPanel } from './panels/history';
import { JobDialog } from './panels/job-dialog';
import { JobsPanel } from './panels/jobs';
import { NowPanel } from './panels/now';

const OUTCOMES_SHOWN = 4;

/**
 * The page: five panels fed by the JSON API and kept current by the event stream. The stream's first
 * message (`snapshot`) carries the Now and Health panels; after that `now`, `health` and `jobs` say what
 * changed. Each time the stream (re)opens, the lists are loaded again, so a reconnect leaves nothing stale.
 */
export interface AppProps {
  /** A request was refused for want of credentials (the session ended): the login form comes back. */
  onUnauthorized: () => void;
  /** Given when authentication is on. */
  onLogout?: () => void;
}

export function App({ onUnauthorized, onLogout }: AppProps) {
  const [live, setLive] = useState<LiveState>('connecting');
  const [now, setNow] = useState<Now | undefined>(undefined);
  const [health, setHealth] = useState<HealthDetails | undefined>(undefined);
  const [healthError, setHealthError] = useState<Error | undefined>(undefined);
  const [jobChanges, setJobChanges] = useState<(JobsChanged & { seq: number }) | undefined>(undefined);
  const [reloads, setReloads] = useState(0);
  const [openJob, setOpenJob] = useState<number | null>(jobFromHash());
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const outcomeIds = useRef(0);

  useEffect(() => {
    // Until the stream's snapshot arrives (and whenever it cannot be opened), the panels load themselves.
    const controller = new AbortController();
    api.now(controller.signal).then(setNow, () => {});
    api.healthDetails(controller.signal).then(setHealth, (error: unknown) => {
      if (!controller.signal.aborted) setHealthError(error instanceof Error ? error : new Error(String(error)));
    });
    let seq = 0;
    const close = connectLive('events', ['snapshot', 'now', 'health', 'jobs'], {
      onState: (state) => {
        setLive(state);
        // The stream was refused: if the session ended, the login form takes over.
        if (state === 'reconnecting') {
          session.get().then(
            (s) => s.auth_required && !s.authenticated && onUnauthorized(),
            () => {},
          );
        }
      },
      onOpen: () => {
        controller.abort();
        setReloads((n) => n + 1);
      },
      onEvent: (type, data) => {
        if (type === 'snapshot' && isSnapshot(data)) {
          setNow(data.now);
          setHealth(data.health);
          setHealthError(undefined);
        } else if (type === 'now') {
          setNow(data as Now);
        } else if (type === 'health') {
          setHealth(data as HealthDetails);
        } else if (type === 'jobs') {
          seq += 1;
          setJobChanges({ ...(data as JobsChanged), seq });
        }
      },
    });
    return () => {
      controller.abort();
      close();
    };
  }, []);

  useEffect(() => {
    const onHash = () => setOpenJob(jobFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // History changes slowly: loaded when the stream (re)opens and when jobs finish.
  const finished = jobChanges?.jobs.filter((j) => j.status === 'success' || j.status === 'failed').length ?? 0;
  const [historyTick, setHistoryTick] = useState(0);
  useEffect(() => {
    if (finished > 0) setHistoryTick((n) => n + 1);
  }, [jobChanges?.seq]);
  const history = useLoad((signal) => api.history(signal), [reloads, historyTick]);
  const mappings = health?.mappings.map((m) => m.container) ?? [];
  const openJobChanged = jobChanges?.jobs.some((j) => j.id === openJob) ? jobChanges.seq : 0;

  const run = useCallback(async <T,>(action: () => Promise<T>, describe: (answer: T) => string) => {
    let outcome: Omit<Outcome, 'id'>;
    try {
      outcome = { ok: true, text: describe(await action()) };
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) onUnauthorized();
      const status = error instanceof ApiError ? ` (${error.status})` : '';
      outcome = { ok: false, text: `Failed${status}: ${error instanceof Error ? error.message : String(error)}` };
    }
    outcomeIds.current += 1;
    const id = outcomeIds.current;
    setOutcomes((previous) => [{ ...outcome, id }, ...previous].slice(0, OUTCOMES_SHOWN));
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
        {onLogout && (
          <button type="button" onClick={onLogout}>
            Log out
          </button>
        )}
      </header>
      <main class="grid">
        <NowPanel now={now} onOpenJob={open} />
        <ActionsPanel mappings={mappings} run={run} outcomes={outcomes} />
        <JobsPanel reload={reloads} changes={jobChanges} mappings={mappings} onOpenJob={open} />
        <HealthPanel health={health} error={health ? undefined : healthError} />
        <HistoryPanel history={history.data} error={history.error} />
      </main>
      {openJob !== null && (
        <JobDialog
          jobId={openJob}
          reload={reloads + openJobChanged}
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

function isSnapshot(data: unknown): data is { now: Now; health: HealthDetails } {
  return typeof data === 'object' && data !== null && 'now' in data && 'health' in data;
}
