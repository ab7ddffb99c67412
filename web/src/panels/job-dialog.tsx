import { useEffect, useRef } from 'preact/hooks';
import { api, type Attempt, type Delivery, type JobDetail } from '../api';
import { useLoad } from '../hooks';
import { episodeOrYear, formatBytes, formatDuration, formatTime, STATUS_LABELS } from '../format';

export interface JobDialogProps {
  jobId: number;
  /** Changes whenever a job changed: the open job is loaded again. */
  reload: number;
  onClose: () => void;
  onRetry: (id: number) => Promise<void>;
}

const TRIGGERS: Record<string, string> = {
  webhook: 'webhook',
  automatic_retry: 'automatic retry',
  manual_retry: 'retry by hand',
  restart: 'after a restart',
};

/** One job in a modal dialog: its paths, every attempt with its error output, its notifications and scans. */
export function JobDialog({ jobId, reload, onClose, onRetry }: JobDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const loaded = useLoad((signal) => api.job(jobId, signal), [jobId, reload]);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  const job = loaded.data;
  return (
    <dialog ref={dialog} class="job-dialog" aria-labelledby="job-dialog-title" onClose={onClose}>
      <header class="dialog-head">
        <h2 id="job-dialog-title">{job ? job.title : `Job ${jobId}`}</h2>
        <button type="button" class="close" onClick={() => dialog.current?.close()} aria-label="Close">
          ×
        </button>
      </header>
      {loaded.error && (
        <p class="error" role="alert">
          Job {jobId} could not be loaded: {loaded.error.message}
        </p>
      )}
      {job ? <JobBody job={job} onRetry={onRetry} /> : !loaded.error && <p class="muted">Loading…</p>}
    </dialog>
  );
}

function JobBody({ job, onRetry }: { job: JobDetail; onRetry: (id: number) => Promise<void> }) {
  return (
    <div class="dialog-body">
      <p>
        <span class={`status status-${job.status}`} data-field="status">
          {STATUS_LABELS[job.status]}
        </span>{' '}
        {job.gave_up && <span class="tag">no automatic retry left</span>} <span class="tag">{job.source}</span>{' '}
        <span class="tag">{episodeOrYear(job.details)}</span> {job.is_upgrade && <span class="tag">upgrade</span>}
      </p>
      {job.status === 'failed' && (
        <p>
          <button type="button" class="primary" onClick={() => void onRetry(job.id)}>
            Retry this job
          </button>
        </p>
      )}
      <dl class="facts">
        <dt>Sent as</dt>
        <dd>
          <code>{job.container_path}</code>
        </dd>
        <dt>Copied from</dt>
        <dd>
          <code>{job.source_path}</code>
        </dd>
        <dt>Into</dt>
        <dd>
          <code>{job.dest_path}</code>
        </dd>
        <dt>Mapping</dt>
        <dd>
          <code>{job.mapping}</code>
        </dd>
        <dt>Size</dt>
        <dd>
          {formatBytes(job.details.sizeBytes)}
          {job.bytes_transferred !== null && `, ${formatBytes(job.bytes_transferred)} transferred`}
        </dd>
        <dt>Queued</dt>
        <dd>{formatTime(job.created_at)}</dd>
        {job.finished_at && (
          <>
            <dt>Finished</dt>
            <dd>
              {formatTime(job.finished_at)} after {formatDuration(job.duration_seconds)}
            </dd>
          </>
        )}
        {job.next_attempt_at && (
          <>
            <dt>Next attempt</dt>
            <dd>{formatTime(job.next_attempt_at)}</dd>
          </>
        )}
      </dl>
      {job.error && (
        <>
          <h3>Last error{job.error_reason ? ` (${job.error_reason})` : ''}</h3>
          <pre class="output">{job.error}</pre>
        </>
      )}
      <h3>Attempts</h3>
      {job.attempts === undefined ? (
        <p class="muted">This service does not record attempts.</p>
      ) : job.attempts.length === 0 ? (
        <p class="muted">No attempt yet.</p>
      ) : (
        <ol class="attempts">
          {job.attempts.map((a) => (
            <AttemptItem key={a.number} attempt={a} />
          ))}
        </ol>
      )}
      <h3>Notifications and scans</h3>
      {!job.deliveries || job.deliveries.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <ul class="deliveries">
          {job.deliveries.map((d, i) => (
            <DeliveryItem key={`${d.target}-${i}`} delivery={d} />
          ))}
        </ul>
      )}
    </div>
  );
}

function AttemptItem({ attempt: a }: { attempt: Attempt }) {
  const outcome = a.outcome ?? 'running';
  return (
    <li class={`attempt attempt-${outcome}`}>
      <p>
        <strong>Attempt {a.number}</strong> ({TRIGGERS[a.trigger] ?? a.trigger}): <span>{outcome}</span>, started{' '}
        {formatTime(a.started_at)}
        {a.duration_seconds !== null && `, ${formatDuration(a.duration_seconds)}`}
        {a.bytes !== null && `, ${formatBytes(a.bytes)}`}
        {a.rsync_exit_code !== null && `, rsync exit ${a.rsync_exit_code}`}
        {a.error_reason && (
          <>
            {' '}
            <span class="tag">{a.error_reason}</span>
          </>
        )}
      </p>
      {a.error && <pre class="output">{a.error}</pre>}
    </li>
  );
}

function DeliveryItem({ delivery: d }: { delivery: Delivery }) {
  const state =
    d.status === 'sent'
      ? `delivered ${formatTime(d.sent_at)}`
      : d.status === 'dead'
        ? `not delivered, gave up after ${d.attempts} tries`
        : `not delivered yet (${d.attempts} ${d.attempts === 1 ? 'try' : 'tries'} so far${
            d.next_attempt_at ? `, next ${formatTime(d.next_attempt_at)}` : ''
          })`;
  return (
    <li class={`delivery delivery-${d.status}`}>
      <strong>{d.target}</strong>: {state}
      {d.last_error && d.status !== 'sent' && <pre class="output">{d.last_error}</pre>}
    </li>
  );
}
