// Any scheme that is not built in goes to the `apprise` command (Debian's package `apprise`; the Docker image
// installs it), so every service Apprise knows works. The URL reaches the command in its environment
// (APPRISE_URLS), never on its command line, which every user of the machine can read (ps).
//
// Checked against apprise 1.2.0, Debian bookworm's package (apprise/cli.py: --title, --body,
// --notification-type info|success|warning|failure, --input-format text|html|markdown, -v; APPRISE_URLS is
// read when no URL and no --config is given; apprise/conversion.py: HTML becomes text for a text-only
// service, whitespace collapsed and <br> a line break), and against caronc/apprise at cf17bc9 (2026):
// apprise/cli.py reads APPRISE_URLS in the same place, and packaging/man/apprise.1 "EXIT STATUS": 0 all
// sent, 1 one or more could not be sent, 2 a bad command line, 3 nothing notified (tag filtering).

import { PermanentError } from '../core/errors.js';
import type { NotifyEvent } from '../core/notify-event.js';
import { publicHost, redactor } from '../core/redact.js';
import type { Notifier, NotifierScheme, ParsedTarget, ProgramRun, RunProgram } from './notifier.js';
import { telegramMessage } from './telegram-text.js';
import type { TargetUrl } from './target-url.js';

/** The command's name on the PATH. */
export const APPRISE_COMMAND = 'apprise';

/** How much of what apprise printed an error quotes. */
const OUTPUT_LIMIT = 500;

/** The registry's answer for a scheme that is not built in, when the apprise command is at `program`. */
export function appriseCommandScheme(program: string): NotifierScheme {
  return {
    service: `the apprise command (${program})`,
    schemes: [],
    // The command has no priority option; a service that has one takes it in its URL (?priority=).
    priorities: false,
    // Apprise reads a channel or room there (slack://…/#general, matrix://…/#room).
    readsFragment: true,
    parse: (url) => [appriseTarget(url, program)],
  };
}

function appriseTarget(url: TargetUrl, program: string): ParsedTarget {
  const host = publicHost(url.host);
  const id = `${url.scheme}://${host ?? ''}`;
  // Which parts of an Apprise URL are secret depends on the service: all but the scheme and a server's
  // name are treated as secret.
  const secrets = [
    url.raw,
    url.user,
    url.password,
    host === undefined ? url.host : undefined,
    ...url.path,
    ...url.query.values(),
  ].filter((part): part is string => part !== undefined && part !== '');
  return {
    id,
    secrets,
    create: (targetId, context) =>
      createAppriseCommandNotifier({
        id: targetId,
        scheme: url.scheme,
        program,
        url: url.raw,
        secrets,
        runProgram: context.runProgram,
        timeoutMs: context.timeoutMs,
      }),
    origin: id,
    check: async (targetId) => [
      {
        level: 'note',
        subject: targetId,
        detail: `sent through the apprise command (${program}), which has no read-only check: run "sync-webhook test"`,
      },
    ],
  };
}

export interface AppriseCommandOptions {
  id: string;
  scheme: string;
  /** The apprise command's absolute path, found at start. */
  program: string;
  /** The Apprise URL, passed as APPRISE_URLS. */
  url: string;
  /** Masked in every error this notifier throws. */
  secrets: readonly string[];
  runProgram: RunProgram;
  timeoutMs: number;
}

export function createAppriseCommandNotifier(o: AppriseCommandOptions): Notifier {
  const redact = redactor(o.secrets);
  return {
    id: o.id,
    scheme: o.scheme,
    async send(event: NotifyEvent) {
      const message = appriseMessage(event);
      const run = await o.runProgram(
        o.program,
        [
          `--notification-type=${message.type}`,
          '--input-format=html',
          `--title=${message.title}`,
          `--body=${message.body}`,
          // Apprise prints only errors by default; a failed delivery is a warning, which the error quotes.
          '--verbose',
        ],
        { env: { APPRISE_URLS: o.url }, timeoutMs: o.timeoutMs },
      );
      const failure = failureOf(run, o.timeoutMs);
      if (failure) throw failure.permanent ? new PermanentError(redact(failure.text)) : new Error(redact(failure.text));
    },
  };
}

/** What apprise is given: the title as is, the body as HTML, the type from the severity. */
export function appriseMessage(event: NotifyEvent): { title: string; body: string; type: string } {
  // Telegram's HTML is the richest rendering there is, escaped for HTML. Apprise turns it into each
  // service's format; its HTML-to-text conversion joins lines unless they are broken with <br>.
  const { body } = telegramMessage(event);
  return { title: event.title, body: body.replace(/\n/g, '<br>'), type: APPRISE_TYPES[event.severity] };
}

const APPRISE_TYPES = { info: 'info', success: 'success', warning: 'warning', error: 'failure' } as const;

/** Why a run of apprise did not deliver, and whether trying the same message again can help. */
function failureOf(run: ProgramRun, timeoutMs: number): { text: string; permanent: boolean } | undefined {
  if (run.spawnError) {
    return { text: `the apprise command could not be started: ${run.spawnError.message}`, permanent: false };
  }
  if (run.timedOut) return { text: `apprise did not finish within ${timeoutMs / 1000} s`, permanent: false };
  const said = outputOf(run);
  switch (run.exitCode) {
    case 0:
      return undefined;
    case 1:
      return { text: `apprise could not send the message (exit 1)${said}`, permanent: false };
    case 2:
      return { text: `apprise refused its command line (exit 2)${said}`, permanent: true };
    case 3:
      return { text: `apprise notified no service (exit 3)${said}`, permanent: true };
    default: {
      const how = run.exitCode === null ? `signal ${run.signal ?? 'unknown'}` : `exit ${run.exitCode}`;
      return { text: `apprise ended with ${how}${said}`, permanent: false };
    }
  }
}

/** The last lines apprise printed, without its timestamps: ": line; line", or "". */
function outputOf(run: ProgramRun): string {
  const lines = `${run.stdout}\n${run.stderr}`
    .split('\n')
    .map((line) => line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ - /, '').trim())
    .filter((line) => line !== '');
  const text = lines.slice(-3).join('; ');
  if (text === '') return '';
  return `: ${text.length > OUTPUT_LIMIT ? `…${text.slice(-OUTPUT_LIMIT)}` : text}`;
}
