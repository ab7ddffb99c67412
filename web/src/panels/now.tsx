import type { Job, Progress } from '../api';
import { episodeOrYear, formatBytes, shortTitle } from '../format';

export interface QueueSummary {
  count: number;
  total_bytes: number;
  /** Seconds until the queue is done, or null when no rate is known. */
  eta_seconds: number | null;
  /** Which rate the estimate used: the copies running now, or the median of the last day's copies. */
  rate_basis: 'running' | 'last_day' | null;
  rate_bytes_per_second: number | null;
  /** The first jobs in line. */
  next: Job[];
}

export interface NowProps {
  running: Job[] | undefined;
  queue: QueueSummary | undefined;
  /** Live progress by job id, newer than what `running` was loaded with. */
  progress: ReadonlyMap<number, Progress>;
  onOpenJob: (id: number) => void;
}

/** The copies running now, with live progress, and the queue behind them. */
export function NowPanel({ running, queue, progress, onOpenJob }: NowProps) {
  return (
    <section class="panel panel-now" aria-labelledby="now-heading">
      <h2 id="now-heading">Now</h2>
      {running === undefined ? (
        <p class="muted">Loading…</p>
      ) : running.length === 0 ? (
        <p class="muted">No copy running.</p>
      ) : (
        <ul class="copies" aria-label="Copies running">
          {running.map((job) => (
            <RunningCopy
              key={job.id}
              job={job}
              progress={progress.get(job.id) ?? job.progress ?? null}
              open={onOpenJob}
            />
          ))}
        </ul>
      )}
      <QueueLine queue={queue} onOpenJob={onOpenJob} />
    </section>
  );
}

function RunningCopy({ job, progress, open }: { job: Job; progress: Progress | null; open: (id: number) => void }) {
  const size = job.details.sizeBytes;
  const percent = progress ? Math.max(0, Math.min(100, progress.percent)) : 0;
  const label = `${shortTitle(job)} ${episodeOrYear(job.details)}`.trim();
  return (
    <li class="copy" data-job-id={job.id}>
      <div class="copy-title">
        <button type="button" class="link" onClick={() => open(job.id)}>
          {shortTitle(job)}
        </button>
        <span class="tag">{episodeOrYear(job.details)}</span>
      </div>
      <progress max={100} value={percent} aria-label={`${label}: copied`} aria-valuetext={`${percent} percent`} />
      <dl class="copy-figures">
        <div>
          <dt>Done</dt>
          <dd class="num" data-field="percent">
            {progress ? `${percent}%` : 'starting'}
          </dd>
        </div>
        <div>
          <dt>Copied</dt>
          <dd class="num" data-field="bytes">
            {progress ? formatBytes(progress.bytes) : '—'}
            {size ? ` of ${formatBytes(size)}` : ''}
          </dd>
        </div>
        <div>
          <dt>Speed</dt>
          <dd class="num" data-field="rate">
            {progress?.rate ?? '—'}
          </dd>
        </div>
        <div>
          <dt>Time left</dt>
          <dd class="num" data-field="eta">
            {progress?.eta ?? '—'}
          </dd>
        </div>
      </dl>
    </li>
  );
}

function QueueLine({ queue, onOpenJob }: { queue: QueueSummary | undefined; onOpenJob: (id: number) => void }) {
  if (!queue) return null;
  if (queue.count === 0) return <p class="queue-line">The queue is empty.</p>;
  const rate = queue.rate_bytes_per_second ? `${formatBytes(queue.rate_bytes_per_second)}/s` : null;
  const basis =
    queue.rate_basis === 'running'
      ? `at the speed of the copies running now (${rate})`
      : queue.rate_basis === 'last_day'
        ? `at the median speed of the last day's copies (${rate})`
        : 'no speed known yet to estimate from';
  return (
    <div class="queue">
      <p class="queue-line">
        <strong>{queue.count}</strong> waiting, <strong>{formatBytes(queue.total_bytes)}</strong> in all.{' '}
        {queue.eta_seconds !== null ? (
          <>
            Done in about <strong>{formatEta(queue.eta_seconds)}</strong>, {basis}.
          </>
        ) : (
          <>No estimate: {basis}.</>
        )}
      </p>
      {queue.next.length > 0 && (
        <ol class="queue-next" aria-label="Next in the queue">
          {queue.next.map((job) => (
            <li key={job.id}>
              <button type="button" class="link" onClick={() => onOpenJob(job.id)}>
                {shortTitle(job)}
              </button>{' '}
              <span class="tag">{episodeOrYear(job.details)}</span>{' '}
              <span class="muted num">{formatBytes(job.details.sizeBytes)}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function formatEta(seconds: number): string {
  if (seconds < 60) return 'under a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}
