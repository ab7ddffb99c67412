import type { HealthDetails, RootHealth } from '../api';
import { formatTime, since } from '../format';
import { useNow } from '../hooks';

const STATE_LABELS: Record<string, string> = {
  ok: 'OK',
  checking: 'Checking…',
  missing: 'Missing',
  not_a_directory: 'Not a folder',
  unreadable: 'Not readable',
  not_mounted: 'Not mounted',
  wrong_filesystem: 'Wrong filesystem',
  anchor_missing: 'Anchor file missing',
  empty: 'Empty',
  not_writable: 'Not writable',
  hung: 'Hung (not answering)',
  error: 'Error',
};

export interface HealthProps {
  health: HealthDetails | undefined;
  error: Error | undefined;
}

/** Each mapping's source and destination with its state and since when, rsync, the targets, uptime. */
export function HealthPanel({ health, error }: HealthProps) {
  const now = useNow(30_000);
  return (
    <section class="panel panel-health" aria-labelledby="health-heading">
      <h2 id="health-heading">
        Health{' '}
        {health && (
          <span class={`status status-${health.status === 'healthy' ? 'success' : 'failed'}`} data-field="overall">
            {OVERALL[health.status]}
          </span>
        )}
      </h2>
      {error && (
        <p class="error" role="alert">
          Health could not be loaded: {error.message}
        </p>
      )}
      {health && (
        <>
          <table class="roots">
            <caption class="visually-hidden">Shares of each mapping</caption>
            <thead>
              <tr>
                <th scope="col">Mapping</th>
                <th scope="col">Source</th>
                <th scope="col">Destination</th>
              </tr>
            </thead>
            <tbody>
              {health.mappings.map((m) => (
                <tr key={m.container} data-mapping={m.container}>
                  <th scope="row" data-label="Mapping">
                    <code>{m.container}</code>
                  </th>
                  <td data-label="Source" data-role="source">
                    <Root {...m.source} now={now} />
                  </td>
                  <td data-label="Destination" data-role="destination">
                    <Root {...m.destination} now={now} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <dl class="facts">
            <dt>Version</dt>
            <dd>{health.version}</dd>
            <dt>Running since</dt>
            <dd>
              {formatTime(health.uptime_since, now)} ({since(health.uptime_since, now).replace('for ', '')})
            </dd>
            <dt>rsync</dt>
            <dd>{health.rsync_version ?? 'not checked yet'}</dd>
            {health.dry_run && (
              <>
                <dt>Dry run</dt>
                <dd>on: rsync only says what it would copy</dd>
              </>
            )}
            {health.targets.length === 0 && (
              <>
                <dt>Notifications and media servers</dt>
                <dd>none configured</dd>
              </>
            )}
            {health.targets.map((t) => (
              <Target key={t.target} target={t} now={now} />
            ))}
          </dl>
        </>
      )}
    </section>
  );
}

function Root({ path, state, problem, since: changedAt, now }: RootHealth & { now: Date }) {
  return (
    <div class={`root root-${state === 'ok' ? 'ok' : state === 'checking' ? 'checking' : 'down'}`} data-state={state}>
      <span class="root-state" data-field="state">
        {STATE_LABELS[state] ?? state}
      </span>{' '}
      {changedAt && <span class="muted">{since(changedAt, now)}</span>}
      <br />
      <code class="path">{path}</code>
      {problem && <p class="problem">{problem}</p>}
    </div>
  );
}

function Target({ target: t, now }: { target: HealthDetails['targets'][number]; now: Date }) {
  return (
    <>
      <dt>
        {t.target} <span class="muted">{t.kind === 'media_server' ? 'media server' : 'notifications'}</span>
      </dt>
      <dd>
        {t.last_sent_at ? `last delivered ${formatTime(t.last_sent_at, now)}` : 'nothing delivered yet'}
        {t.pending > 0 && `, ${t.pending} waiting`}
        {t.last_error && <span class="problem"> Last error: {t.last_error}</span>}
        {t.problems.map((problem) => (
          <span key={problem} class="problem">
            {' '}
            {problem}
          </span>
        ))}
      </dd>
    </>
  );
}

const OVERALL: Record<HealthDetails['status'], string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  unhealthy: 'Unhealthy',
};
