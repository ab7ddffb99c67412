// The notification targets and media servers doctor looks at. Each kind contributes one entry to
// TARGET_KINDS: how to find its configured targets, and the read-only call that proves one works
// (Telegram's getMe and getChat, Plex's library sections). A kind without such a call is asked only
// whether its server answers, and the report says to send a test; nothing is ever sent or scanned.
import { DEFAULT_MAPPINGS } from '../../config/defaults.js';
import type { Env } from '../../config/env.js';
import type { Config } from '../../config/load.js';
import { describeFetchFailure } from '../../core/fetch-failure.js';
import type { Finding } from '../../core/finding.js';
import { checkPlex } from '../../media/plex-check.js';
import { checkTelegram } from '../../notify/telegram-check.js';

export type TargetSection = 'notifications' | 'media servers';

export interface CallOptions {
  fetch: typeof fetch;
  timeoutMs: number;
}

export interface ConfiguredTarget {
  /** Its name in the report. */
  id: string;
  /** Where it is reached; only its origin is asked when there is no read-only call. */
  baseUrl: string;
  /** The read-only call that proves the target works; absent: the kind has none. */
  verify?: (o: CallOptions) => Promise<Finding[]>;
}

export interface TargetKind {
  kind: string;
  section: TargetSection;
  /** What turns it on, for the note when none is configured. */
  enabledBy: string;
  /** The configured targets of this kind; none when it is off. */
  targets(config: Config, env: Env): ConfiguredTarget[];
}

export const TARGET_KINDS: readonly TargetKind[] = [
  {
    kind: 'telegram',
    section: 'notifications',
    enabledBy: 'TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID',
    targets: ({ telegram }) =>
      telegram
        ? [{ id: 'telegram', baseUrl: telegram.baseUrl, verify: (o) => checkTelegram({ ...telegram, ...o }) }]
        : [],
  },
  {
    kind: 'plex',
    section: 'media servers',
    enabledBy: 'PLEX_URL and PLEX_TOKEN',
    targets: (config, env) => {
      const plex = config.plex;
      if (!plex) return [];
      const mappings = config.mappings.map((m, i) => ({
        container: m.container,
        section: m.plexSection,
        setting: env.SYNC_CONFIG
          ? `key mappings.${i}.plex_section of ${env.SYNC_CONFIG}`
          : (DEFAULT_MAPPINGS.find((d) => d.container === m.container)?.plexSectionEnv ??
            'its PLEX_SECTION_* variable'),
      }));
      return [{ id: 'plex', baseUrl: plex.baseUrl, verify: (o) => checkPlex({ ...plex, ...o, mappings }) }];
    },
  },
];

/** Every kind's findings, by section; `kinds` is TARGET_KINDS but in tests. */
export async function checkTargets(
  config: Config,
  env: Env,
  o: CallOptions,
  kinds: readonly TargetKind[] = TARGET_KINDS,
): Promise<Map<TargetSection, Finding[]>> {
  const perKind = await Promise.all(
    kinds.map(async (kind) => {
      const targets = kind.targets(config, env);
      if (targets.length === 0) {
        const note: Finding = { level: 'note', subject: kind.kind, detail: `not configured (${kind.enabledBy})` };
        return { section: kind.section, findings: [note] };
      }
      const found = await Promise.all(targets.map((t) => (t.verify ? t.verify(o) : checkAnswers(t, o))));
      return { section: kind.section, findings: found.flat() };
    }),
  );
  const sections = new Map<TargetSection, Finding[]>();
  for (const { section, findings } of perKind) sections.set(section, [...(sections.get(section) ?? []), ...findings]);
  return sections;
}

/** Whether the target's server answers at all; its own URL may hold a secret, so only the origin is asked. */
async function checkAnswers(target: ConfiguredTarget, o: CallOptions): Promise<Finding[]> {
  const origin = new URL(target.baseUrl).origin;
  try {
    const res = await o.fetch(`${origin}/`, { method: 'GET', signal: AbortSignal.timeout(o.timeoutMs) });
    await res.body?.cancel().catch(() => undefined);
    return [
      {
        level: 'note',
        subject: target.id,
        detail: `${origin} answers (HTTP ${res.status}); it has no read-only check: run "sync-webhook test"`,
      },
    ];
  } catch (error) {
    return [
      {
        level: 'problem',
        subject: target.id,
        detail: `cannot reach ${origin}: ${describeFetchFailure(error, o.timeoutMs)}`,
        fix: `check the URL of ${target.id} and the network`,
      },
    ];
  }
}
