// The notification targets and media servers doctor looks at. Each kind brings its own read-only
// check: a notification service in its scheme's parser (ParsedTarget.check: Telegram asks getMe and
// getChat), a media server in media/registry.ts (checkMediaServer: Plex lists its library sections,
// Jellyfin and Emby answer /System/Info).
// A target whose service has no read-only call is only asked whether its origin answers, and the line
// says to send a test. Nothing is ever sent or scanned.
import type { Config } from '../../config/load.js';
import { describeFetchFailure } from '../../core/fetch-failure.js';
import type { Finding } from '../../core/finding.js';
import { checkMediaServer } from '../../media/registry.js';

export interface CallOptions {
  fetch: typeof fetch;
  timeoutMs: number;
}

export interface TargetFindings {
  notifications: Finding[];
  mediaServers: Finding[];
}

export async function checkTargets(
  config: Pick<Config, 'notify' | 'mediaServers' | 'mappings'>,
  o: CallOptions,
): Promise<TargetFindings> {
  const [notifications, mediaServers] = await Promise.all([
    config.notify.length === 0
      ? [
          note(
            'notifications',
            'none (SYNC_NOTIFY_URLS, notify: in SYNC_CONFIG, or TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID)',
          ),
        ]
      : Promise.all(config.notify.map((t) => (t.check ? t.check(o) : checkAnswers(t.id, t.origin, o)))),
    config.mediaServers.length === 0
      ? [note('media servers', 'none (PLEX_*, JELLYFIN_*, EMBY_* variables, or media_servers: in SYNC_CONFIG)')]
      : Promise.all(config.mediaServers.map((s) => checkMediaServer(s, { ...o, mappings: config.mappings }))),
  ]);
  return { notifications: notifications.flat(), mediaServers: mediaServers.flat() };
}

function note(subject: string, detail: string): Finding {
  return { level: 'note', subject, detail };
}

/** Whether the target's server answers at all, at its origin: its own URL may hold a secret. */
export async function checkAnswers(id: string, origin: string, o: CallOptions): Promise<Finding[]> {
  try {
    const res = await o.fetch(`${origin}/`, { method: 'GET', signal: AbortSignal.timeout(o.timeoutMs) });
    await res.body?.cancel().catch(() => undefined);
    return [note(id, `${origin} answers (HTTP ${res.status}); it has no read-only check: run "sync-webhook test"`)];
  } catch (error) {
    return [
      {
        level: 'problem',
        subject: id,
        detail: `cannot reach ${origin}: ${describeFetchFailure(error, o.timeoutMs)}`,
        fix: `check the URL of ${id} and the network`,
      },
    ];
  }
}
