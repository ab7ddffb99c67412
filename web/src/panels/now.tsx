import type { Job, Now, Progress } from '../api';
import { copiesNothing, episodeOrYear, formatBytes, KIND_LABELS, shortTitle } from '../format';

export interface NowProps {
  now: Now | undefined;
  onOpenJob: (id: number) => void;
}

/** The copies running now with their live progress, and the queue behind them with its size and estimate. */
export function NowPanel({ now, onOpenJob }: NowProps) {
  return (
    <section class="panel panel-now" aria-labelledby="now-heading">
      <h2 id="now-heading">Now</h2>
      {now === undefined ? (
        <p class="muted">Loading…</p>
      ) : now.running.length === 0 ? (
        <p class="muted">No copy running.</p>
      ) : (
        <ul class="copies" aria-label="Copies running">
          {now.running.map((job) => (
            <RunningCopy key={job.id} job={job} progress={job.progress ?? null} open={onOpenJob} />
          ))}
        </ul>
      )}
      {now && <Queue now={now} onOpenJob={onOpenJob} />}
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
        <button type="button" class="link" onClick={() => open(job.id)} aria-haspopup="dialog">
          {shortTitle(job)}
        </button>
        <span class="tag">{episodeOrYear(job.details)}</span> <KindTag job={job} />
      </div>
      <progress max={100} value={percent} aria-label={`${label}: copied`} />
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

const BASIS: Record<Now['eta']['basis'], string> = {
  running_copies: 'at the speed of the copies running now',
  median_last_day: "at the median speed of the last day's copies",
  none: 'no speed known yet to estimate from',
};

function Queue({ now, onOpenJob }: { now: Now; onOpenJob: (id: number) => void }) {
  const { queue, eta } = now;
  const rate = eta.bytes_per_second ? ` (${formatBytes(eta.bytes_per_second)}/s)` : '';
  const unsized = queue.without_size > 0 ? ` ${queue.without_size} of unknown size left out.` : '';
  return (
    <div class="queue" data-field="queue">
      {queue.count === 0 ? (
        <p class="queue-line">The queue is empty.</p>
      ) : (
        <p class="queue-line">
          <strong>{queue.count}</strong> waiting, <strong>{formatBytes(queue.known_bytes)}</strong> in all.
          {unsized}
        </p>
      )}
      {(queue.count > 0 || now.running.length > 0) && (
        <p class="queue-line" data-field="eta">
          {eta.seconds !== null ? (
            <>
              All done in {queue.without_size > 0 ? 'at least' : 'about'} <strong>{formatEta(eta.seconds)}</strong>,{' '}
              {BASIS[eta.basis]}
              {rate}.
            </>
          ) : (
            <>No estimate: {BASIS[eta.basis]}.</>
          )}
        </p>
      )}
      {queue.jobs.length > 0 && (
        <ol class="queue-next" aria-label="Next in the queue">
          {queue.jobs.map((job) => (
            <li key={job.id}>
              <button type="button" class="link" onClick={() => onOpenJob(job.id)} aria-haspopup="dialog">
                {shortTitle(job)}
              </button>{' '}
              <span class="tag">{episodeOrYear(job.details)}</span> <KindTag job={job} />{' '}
              {!copiesNothing(job) && <span class="muted num">{formatBytes(job.details.sizeBytes)}</span>}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** Upgrades, renames and deletes say so; a copy, the common case, needs no tag. */
function KindTag({ job }: { job: Job }) {
  return job.kind === 'copy' ? null : <span class="tag">{KIND_LABELS[job.kind] ?? job.kind}</span>;
}

function formatEta(seconds: number): string {
  if (seconds < 60) return 'under a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}
