import { useEffect, useRef } from 'preact/hooks';
import { api, type Attempt, type Delivery, type JobDetail, type MirroredFile } from '../api';
import { useLoad } from '../hooks';
import {
  copiesNothing,
  episodeOrYear,
  formatBytes,
  formatDuration,
  formatTime,
  KIND_LABELS,
  STATUS_LABELS,
} from '../format';

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
  // A rename or delete copies nothing: its paths are where it looks, not a copy's ends.
  const mirrorsOnly = copiesNothing(job);
  return (
    <div class="dialog-body">
      <p>
        <span class={`status status-${job.status}`} data-field="status">
          {STATUS_LABELS[job.status]}
        </span>{' '}
        {job.gave_up && <span class="tag">no automatic retry left</span>}{' '}
        <span class="tag" data-field="kind">
          {KIND_LABELS[job.kind] ?? job.kind}
        </span>{' '}
        <span class="tag">{job.source}</span> <span class="tag">{episodeOrYear(job.details)}</span>{' '}
        {job.is_upgrade && job.kind === 'copy' && <span class="tag">upgrade</span>}
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
        {job.event && (
          <>
            <dt>Event</dt>
            <dd>{job.event}</dd>
          </>
        )}
        <dt>{mirrorsOnly ? 'At the source' : 'Copied from'}</dt>
        <dd>
          <code>{job.source_path}</code>
        </dd>
        <dt>{mirrorsOnly ? 'At the destination' : 'Into'}</dt>
        <dd>
          <code>{job.dest_path}</code>
        </dd>
        <dt>Mapping</dt>
        <dd>
          <code>{job.mapping}</code>
        </dd>
        {!mirrorsOnly && (
          <>
            <dt>Size</dt>
            <dd>
              {formatBytes(job.details.sizeBytes)}
              {job.bytes_transferred !== null && `, ${formatBytes(job.bytes_transferred)} transferred`}
            </dd>
          </>
        )}
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
      {job.kind !== 'copy' && <MirrorFiles job={job} />}
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

/** What an upgrade, rename or delete asked (as Radarr/Sonarr named the files), and what its last run did. */
function MirrorFiles({ job }: { job: JobDetail }) {
  return (
    <section aria-labelledby="job-files-heading" class="mirror-files">
      <h3 id="job-files-heading">Files at the destination</h3>
      {job.replaced_files && job.replaced_files.length > 0 && (
        <>
          <p class="muted">Replaced by the import:</p>
          <ul>
            {job.replaced_files.map((path) => (
              <li key={path}>
                <code>{path}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {job.renamed_files && job.renamed_files.length > 0 && (
        <>
          <p class="muted">Renamed by {job.event}:</p>
          <ul>
            {job.renamed_files.map((r) => (
              <li key={r.to}>
                <code>{r.from ?? '(previous name not sent)'}</code> → <code>{r.to}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {job.delete_scope === 'folder' && (
        <p class="muted">{job.event}: every file of the folder that is gone at the source.</p>
      )}
      {job.deleted_files && job.deleted_files.length > 0 && (
        <>
          <p class="muted">Deleted by {job.event}:</p>
          <ul>
            {job.deleted_files.map((path) => (
              <li key={path}>
                <code>{path}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {!job.files ? (
        <p class="muted">Not run yet: nothing changed at the destination.</p>
      ) : job.files.length === 0 ? (
        <p class="muted">The last run found nothing to change.</p>
      ) : (
        <>
          <p class="muted" id="job-files-done">
            What the last run did:
          </p>
          <ul class="files" aria-labelledby="job-files-done">
            {job.files.map((f) => (
              <MirroredFileItem key={`${f.action}:${f.path}`} file={f} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

const FILE_ACTIONS: Record<MirroredFile['action'], string> = {
  deleted: 'deleted',
  trashed: 'moved to the trash',
  renamed: 'renamed',
  kept: 'kept',
  absent: 'already gone',
};

function MirroredFileItem({ file: f }: { file: MirroredFile }) {
  return (
    <li class={`file file-${f.action}`} data-action={f.action}>
      <span class="tag">{FILE_ACTIONS[f.action] ?? f.action}</span> <code>{f.path}</code>
      {f.to && (
        <>
          {' '}
          → <code>{f.to}</code>
        </>
      )}
      {f.reason && <span class="muted">: {f.reason}</span>}
    </li>
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
