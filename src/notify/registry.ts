// Notification URLs → targets. One line per service in NOTIFIER_SCHEMES; the configuration reads every
// URL through here (config/load.ts), so a malformed URL or an unknown scheme stops the start.

import type { Finding } from '../core/finding.js';
import type { NotifyKind, NotifyPriority } from '../core/notify-event.js';
import { maskUrl } from '../core/redact.js';
import { APPRISE_COMMAND, appriseCommandScheme } from './apprise-command.js';
import type { CheckContext, EnvLookup, FindProgram, Notifier, NotifierContext, NotifierScheme } from './notifier.js';
import { schemeOf, splitTargetUrl, type TargetUrl, TargetUrlError } from './target-url.js';
import { appriseApiScheme } from './apprise-api.js';
import { discordScheme } from './discord.js';
import { gotifyScheme } from './gotify.js';
import { jsonWebhookScheme } from './json-webhook.js';
import { ntfyScheme } from './ntfy.js';
import { pushoverScheme } from './pushover.js';
import { slackScheme } from './slack.js';
import { telegramScheme } from './telegram.js';

/** Every built-in service. Adding one: its file (parser + sender), one line here, its fake-server test. */
export const NOTIFIER_SCHEMES: readonly NotifierScheme[] = [
  telegramScheme,
  discordScheme,
  slackScheme,
  ntfyScheme,
  gotifyScheme,
  pushoverScheme,
  jsonWebhookScheme,
  appriseApiScheme,
];

/** The built-in schemes, for the error that names them. */
export function builtInSchemes(): string[] {
  return NOTIFIER_SCHEMES.flatMap((entry) => entry.schemes);
}

/**
 * The entry that reads a scheme. This is the one place that decides what an unknown scheme means: the
 * apprise command takes it when it is installed; without it, the URL stops the start.
 */
function entryFor(scheme: string, spec: NotifyTargetSpec, findProgram: FindProgram): NotifierScheme {
  const entry = NOTIFIER_SCHEMES.find((candidate) => candidate.schemes.includes(scheme)) ?? nativeEntryFor(spec.url);
  if (entry) return entry;
  const apprise = findProgram(APPRISE_COMMAND);
  if (apprise) return appriseCommandScheme(apprise);
  throw new TargetUrlError(
    `${describeSpec(spec)}: scheme ${scheme}:// is not built in, and the ${APPRISE_COMMAND} command that sends ` +
      `to every other service is not installed (Debian: apt-get install apprise); ` +
      `built-in schemes: ${builtInSchemes().join(', ')}`,
  );
}

/** The service whose own URL this is (https://discord.com/api/webhooks/…), if any. */
function nativeEntryFor(raw: string): NotifierScheme | undefined {
  let url: TargetUrl;
  try {
    url = splitTargetUrl(raw);
  } catch {
    return undefined;
  }
  return NOTIFIER_SCHEMES.find((candidate) => candidate.readsNativeUrl?.(url));
}

/** One notification URL with its options, as the configuration gives it. */
export interface NotifyTargetSpec {
  url: string;
  /** The target's id instead of the one made from the URL. */
  name?: string;
  /** Which kinds it gets (default: all). */
  events?: readonly NotifyKind[];
  /** The priority of failure messages, for a service that has one. */
  priority?: NotifyPriority;
  /** Where it came from, for errors: "SYNC_NOTIFY_URLS", "SYNC_CONFIG notify.0.url"… */
  from: string;
}

/** A configured notification target, ready to build. */
export interface NotifyTarget {
  id: string;
  scheme: string;
  /** The kinds it gets; undefined means every kind. */
  events?: readonly NotifyKind[];
  secrets: readonly string[];
  create(context: NotifierContext): Notifier;
  /** See ParsedTarget. */
  origin: string;
  check?: (context: CheckContext) => Promise<Finding[]>;
}

export type { FindProgram };

/** Without a lookup, no program is installed: an unknown scheme stops the start. */
const NO_PROGRAMS: FindProgram = () => undefined;

/**
 * Every spec read by its scheme's parser; throws TargetUrlError naming where the URL came from, the URL
 * with its secrets masked and what is wrong, or two targets that would share an id. `findProgram` says
 * where the apprise command is, for a scheme that is not built in.
 */
export function parseNotifyTargets(
  specs: readonly NotifyTargetSpec[],
  env: EnvLookup,
  findProgram: FindProgram = NO_PROGRAMS,
): NotifyTarget[] {
  const targets: NotifyTarget[] = [];
  const origin = new Map<string, string>();
  for (const spec of specs) {
    const scheme = schemeOf(spec.url);
    if (!scheme) throw new TargetUrlError(`${describeSpec(spec)}: is not a URL of the form scheme://…`);
    const entry = entryFor(scheme, spec, findProgram);
    if (spec.priority !== undefined && !entry.priorities) {
      throw new TargetUrlError(`${describeSpec(spec)}: ${entry.service} has no message priority; remove priority`);
    }
    const failurePriority = spec.priority;
    let parsed: ReturnType<NotifierScheme['parse']>;
    try {
      const url = splitTargetUrl(spec.url);
      if (url.hasFragment && !entry.readsFragment) {
        throw new TargetUrlError('has a "#…" part, which this service does not read; write a "#" in a value as %23');
      }
      parsed = entry.parse(url, env);
    } catch (error) {
      if (!(error instanceof TargetUrlError)) throw error;
      throw new TargetUrlError(`${describeSpec(spec)}: ${entry.service} URL ${error.message}`);
    }
    for (const { check, ...one } of parsed) {
      // A name stands for the whole URL; a URL with several destinations suffixes it per destination.
      const id = spec.name === undefined ? one.id : parsed.length === 1 ? spec.name : `${spec.name}/${one.id}`;
      const earlier = origin.get(id);
      if (earlier !== undefined) {
        throw new TargetUrlError(
          `${describeSpec(spec)}: target ${id} is configured twice (also in ${earlier}); ` +
            'remove one, or give each a different name',
        );
      }
      origin.set(id, spec.from);
      targets.push({
        id,
        scheme,
        ...(spec.events ? { events: spec.events } : {}),
        secrets: one.secrets,
        create: (context) => one.create(id, failurePriority ? { ...context, failurePriority } : context),
        origin: one.origin,
        ...(check ? { check: (context: CheckContext) => check(id, context) } : {}),
      });
    }
  }
  return targets;
}

function describeSpec(spec: NotifyTargetSpec): string {
  return `${spec.from} (${maskUrl(spec.url)})`;
}
