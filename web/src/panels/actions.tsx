import { useState } from 'preact/hooks';
import { api } from '../api';
import { ConfirmDialog } from '../confirm';
import { FolderBrowser } from './folder-browser';

export interface Outcome {
  id: number;
  ok: boolean;
  text: string;
}

export interface ActionsProps {
  mappings: readonly string[];
  /** Runs an action and shows its outcome; `describe` turns the answer into a sentence. */
  run: <T>(action: () => Promise<T>, describe: (answer: T) => string) => Promise<void>;
  outcomes: readonly Outcome[];
}

/** The buttons: retry all failed (asks first), sync a folder by hand, test notification, summary now. */
export function ActionsPanel({ mappings, run, outcomes }: ActionsProps) {
  const [asking, setAsking] = useState(false);
  const retryAll = async (confirmed: boolean) => {
    setAsking(false);
    if (!confirmed) return;
    await run(api.retryFailed, (a) =>
      a.job_ids.length === 0
        ? 'No job failed in the last 24 h: nothing to retry.'
        : `Queued again: ${a.job_ids.length} failed job${a.job_ids.length === 1 ? '' : 's'}.`,
    );
  };
  return (
    <section class="panel panel-actions" aria-labelledby="actions-heading">
      <h2 id="actions-heading">Actions</h2>
      <div class="action-buttons">
        <button type="button" onClick={() => setAsking(true)}>
          Retry all failed…
        </button>
        <button type="button" onClick={() => void run(api.testNotification, () => 'Test notification sent.')}>
          Send a test notification
        </button>
        <button
          type="button"
          onClick={() =>
            void run(api.sendSummary, (a) =>
              a.notifications
                ? `Summary of ${a.day} queued for sending.`
                : `Summary of ${a.day} written to the log (notifications are off).`,
            )
          }
        >
          Send the summary now
        </button>
      </div>
      {asking && (
        <ConfirmDialog
          title="Retry all failed jobs?"
          text="Every job that failed in the last 24 hours goes back in the queue and is copied again."
          confirmLabel="Retry them"
          onAnswer={(yes) => void retryAll(yes)}
        />
      )}
      <FolderBrowser mappings={mappings} run={run} />
      <div class="outcomes" role="status" aria-live="polite" aria-label="Outcomes of actions">
        {outcomes.map((o) => (
          <p key={o.id} class={o.ok ? 'outcome ok' : 'outcome error'}>
            {o.text}
          </p>
        ))}
      </div>
    </section>
  );
}
