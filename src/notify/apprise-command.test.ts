// The hand-off to the apprise command, through an injected runProgram: the exact command line and
// environment, the body apprise gets, and how each way a run ends becomes the error the dispatcher acts
// on. test/service/notify-apprise.test.ts runs Debian's real apprise against a fake server.
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../core/errors.js';
import type { MountEvent, SyncFailedEvent } from '../core/notify-event.js';
import { appriseCommandScheme, appriseMessage } from './apprise-command.js';
import { testEvent } from './events.js';
import type { ProgramRun, RunProgram } from './notifier.js';
import { splitTargetUrl } from './target-url.js';

const URL_WITH_SECRETS = 'form://hook-user:hook-pass@127.0.0.1:8123/path-secret?+X-Token=header-secret';
const AT = new Date('2026-03-10T10:00:00.000Z');
const ENDED: ProgramRun = { exitCode: 0, signal: null, stdout: '', stderr: '', timedOut: false };

/** A notifier whose runs answer `run`, and the calls it made. */
function notifierAnswering(run: Partial<ProgramRun>) {
  const calls: Parameters<RunProgram>[] = [];
  const runProgram: RunProgram = async (...args) => {
    calls.push(args);
    return { ...ENDED, ...run };
  };
  const [target] = appriseCommandScheme('/usr/bin/apprise').parse(splitTargetUrl(URL_WITH_SECRETS), () => undefined);
  if (!target) throw new Error('no target');
  const notifier = target.create('form-hook', { fetch: globalThis.fetch, timeoutMs: 30_000, runProgram });
  return { notifier, calls, target };
}

const failure: SyncFailedEvent = {
  kind: 'failure',
  title: 'Sync Failed - Movie',
  severity: 'error',
  at: AT.toISOString(),
  jobId: 42,
  media: { type: 'movie', source: 'radarr', title: 'Tom & Jerry <3> *x*', year: 2024, path: '/movies/T' },
  destination: '/mnt/dst/Movies',
  error: 'rsync: a < b & c\nsecond line',
  next: { kind: 'retry', attempt: 1, maxRetries: 3, inSeconds: 900 },
};

describe('the apprise command hand-off', () => {
  it('runs apprise with the message in its arguments and the URL only in APPRISE_URLS', async () => {
    const { notifier, calls } = notifierAnswering({ exitCode: 0 });
    await notifier.send(failure);
    expect(calls).toEqual([
      [
        '/usr/bin/apprise',
        [
          '--notification-type=failure',
          '--input-format=html',
          '--title=Sync Failed - Movie',
          '--body=<b>Tom &amp; Jerry &lt;3&gt; *x*</b> (2024)<br><br>Error: rsync: a &lt; b &amp; c<br>second line' +
            '<br><br>Will retry (retry 1/3 in 15 min)',
          '--verbose',
        ],
        { env: { APPRISE_URLS: URL_WITH_SECRETS }, timeoutMs: 30_000 },
      ],
    ]);
    const commandLine = calls[0]?.[1].join(' ') ?? '';
    for (const secret of ['hook-pass', 'path-secret', 'header-secret', '127.0.0.1']) {
      expect(commandLine).not.toContain(secret);
    }
  });

  it('maps each severity to an Apprise type, and renders every kind as HTML with <br> line breaks', () => {
    const down: MountEvent = {
      kind: 'mount_down',
      title: 'Share Down',
      severity: 'error',
      at: AT.toISOString(),
      mapping: '/movies',
      role: 'destination',
      path: '/mnt/dst/Movies',
      problem: 'destination /mnt/dst/Movies is not mounted',
    };
    expect(appriseMessage(down)).toEqual({
      title: 'Share Down',
      body:
        '<b>/movies</b> (destination)<br>Path: /mnt/dst/Movies<br><br>' +
        'Problem: destination /mnt/dst/Movies is not mounted',
      type: 'failure',
    });
    expect(appriseMessage(testEvent(AT))).toEqual({
      title: 'Sync Webhook Test',
      body: 'If you see this, notifications are working!',
      type: 'info',
    });
    expect(appriseMessage({ ...down, kind: 'mount_up', severity: 'success', downSeconds: 60 }).type).toBe('success');
    expect(appriseMessage({ ...down, severity: 'warning' }).type).toBe('warning');
  });

  it.each([
    [
      'exit 1 (not sent) may heal',
      { exitCode: 1, stdout: '2026-03-10 10:00:00,123 - WARNING - Failed: error=500.\n' },
      Error,
      'apprise could not send the message (exit 1): WARNING - Failed: error=500.',
    ],
    ['exit 2 (command line) cannot', { exitCode: 2 }, PermanentError, 'apprise refused its command line (exit 2)'],
    ['exit 3 (nothing notified) cannot', { exitCode: 3 }, PermanentError, 'apprise notified no service (exit 3)'],
    [
      'a timeout may heal',
      { exitCode: null, signal: 'SIGTERM', timedOut: true },
      Error,
      'apprise did not finish within 30 s',
    ],
    ['a signal may heal', { exitCode: null, signal: 'SIGKILL' }, Error, 'apprise ended with signal SIGKILL'],
    [
      'another exit may heal',
      { exitCode: 127, stderr: 'python3: not found' },
      Error,
      'apprise ended with exit 127: python3: not found',
    ],
    [
      'a failed start may heal',
      { exitCode: null, spawnError: new Error('spawn /usr/bin/apprise ENOENT') },
      Error,
      'the apprise command could not be started: spawn /usr/bin/apprise ENOENT',
    ],
  ])('%s', async (_what, run, errorClass, message) => {
    const { notifier } = notifierAnswering(run);
    const error = await notifier.send(failure).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(errorClass);
    expect(error instanceof PermanentError).toBe(errorClass === PermanentError);
    expect((error as Error).message).toBe(message);
  });

  it('quotes only the last lines apprise printed, with every part of the URL but the host masked', async () => {
    const stdout = `${'noise\n'.repeat(50)}Sent to form://hook-user:hook-pass@127.0.0.1:8123/path-secret\nlast line\n`;
    const { notifier } = notifierAnswering({ exitCode: 1, stdout });
    await expect(notifier.send(failure)).rejects.toThrow(
      'apprise could not send the message (exit 1): noise; Sent to form://[REDACTED]:[REDACTED]@127.0.0.1:8123/' +
        '[REDACTED]; last line',
    );
  });

  it('tells doctor it has no read-only check, without running anything', async () => {
    const { target } = notifierAnswering({});
    expect(target.id).toBe('form://127.0.0.1:8123');
    expect(await target.check?.('form-hook', { fetch: globalThis.fetch, timeoutMs: 1000 })).toEqual([
      {
        level: 'note',
        subject: 'form-hook',
        detail:
          'sent through the apprise command (/usr/bin/apprise), which has no read-only check: run "sync-webhook test"',
      },
    ]);
  });
});
