// `sync-webhook doctor`: checks what the service needs, without the service: rsync, the configuration,
// each mapping's shares, the database and log folder, and every notification target and media server
// (read-only calls). It prints what it found and what to fix; it changes nothing.
import type { Config } from '../../config/load.js';
import { ConfigError } from '../../config/schema.js';
import type { Finding } from '../../core/finding.js';
import { TIMING } from '../../core/timing.js';
import { createMountProbe } from '../../mounts/probe.js';
import type { CliContext } from '../context.js';
import { styleFor } from '../style.js';
import { checkMappings } from './mapping-checks.js';
import { renderReport, type ReportSection } from './report.js';
import { checkRsync } from './rsync-check.js';
import { checkDatabase, checkLogFolder } from './storage-checks.js';
import { checkTargets } from './target-checks.js';

/** Prints the report; resolves true when nothing must be fixed. */
export async function runDoctor(ctx: CliContext): Promise<boolean> {
  const heading = `sync-webhook ${ctx.version} doctor${ctx.uid === undefined ? '' : `, as uid ${ctx.uid}`}`;
  const rsync = checkRsync(ctx.rsyncBinary);
  let config: Config;
  try {
    config = ctx.config();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problem: Finding = {
      level: 'problem',
      subject: 'configuration',
      detail: error.message,
      fix: 'correct the variable or key it names; the service does not start like this (exit 2)',
    };
    const sections = [
      { title: 'rsync', findings: [await rsync] },
      { title: 'configuration', findings: [problem] },
    ];
    return print(ctx, heading, sections);
  }

  const probe = createMountProbe({
    timeoutMs: config.mounts.timeoutSeconds * 1000,
    requireMounts: config.mounts.require,
  });
  const [rsyncFinding, mappings, targets] = await Promise.all([
    rsync,
    checkMappings({ probe, config, mappingsFile: ctx.env.SYNC_CONFIG?.trim() || undefined, uid: ctx.uid }),
    checkTargets(config, { fetch: ctx.fetch, timeoutMs: TIMING.doctorRequestTimeoutMs }),
  ]);
  return print(ctx, heading, [
    { title: 'rsync', findings: [rsyncFinding] },
    { title: 'configuration', findings: configurationFindings(config) },
    { title: 'mappings', findings: mappings },
    { title: 'database and logs', findings: [checkDatabase(config, ctx.uid), checkLogFolder(config, ctx.uid)] },
    { title: 'notifications', findings: targets.notifications },
    { title: 'media servers', findings: targets.mediaServers },
  ]);
}

function print(ctx: CliContext, heading: string, sections: ReportSection[]): boolean {
  ctx.stdout.write(renderReport(heading, sections, styleFor(ctx.stdout, ctx.env)));
  return sections.every((s) => s.findings.every((f) => f.level !== 'problem'));
}

function configurationFindings(config: Config): Finding[] {
  const containers = config.mappings.map((m) => m.container).join(', ');
  const count = config.mappings.length;
  const findings: Finding[] = [
    {
      level: 'ok',
      subject: 'configuration',
      detail: `valid; mappings from ${config.mappingsFrom}: ${count} (${containers})`,
    },
  ];
  if (!config.auth.apiKey && !config.auth.basic) {
    findings.push({
      level: 'note',
      subject: 'access',
      detail:
        `no credentials: whoever reaches port ${config.http.port} can queue copies ` +
        '(SYNC_API_KEY, or SYNC_USERNAME and SYNC_PASSWORD, turn them on)',
    });
  }
  if (config.dryRun) {
    findings.push({
      level: 'note',
      subject: 'dry run',
      detail: 'SYNC_DRY_RUN is on: rsync runs with --dry-run, nothing is copied',
    });
  }
  return findings;
}
