// Which rsync is installed: `rsync --version` in a child process with a time limit, its version parsed
// and compared with the oldest rsync that has every option the copies use. The start-up check and
// `sync-webhook doctor` both read it from here, so they cannot disagree.
import { errnoCode } from '../core/errors.js';
import { runChild } from './run-child.js';

export interface RsyncVersion {
  major: number;
  minor: number;
  patch: number;
}

/** The oldest rsync with every option of runner/rsync-args.ts: --mkpath came with 3.2.3. */
export const MINIMUM_RSYNC_VERSION: Readonly<RsyncVersion> = Object.freeze({ major: 3, minor: 2, patch: 3 });

/** `rsync --version` answers at once; a slow answer means a broken binary, not a slow machine. */
const VERSION_TIMEOUT_MS = 10_000;

const INSTALL_HINT =
  'install it (Debian/Ubuntu: apt-get install rsync; Alpine: apk add rsync); ' +
  'the sync-webhook Docker image already ships it';

export type RsyncProbe =
  | { ok: true; version: RsyncVersion; line: string }
  | { ok: false; problem: string; fix: string };

/** Runs `binary --version`; never rejects. */
export async function probeRsync(binary = 'rsync'): Promise<RsyncProbe> {
  const run = await runChild(binary, ['--version'], {
    timeoutMs: VERSION_TIMEOUT_MS,
    stop: { sigtermGraceMs: 1000 },
  });
  if (run.spawnError) {
    return errnoCode(run.spawnError) === 'ENOENT'
      ? { ok: false, problem: `rsync not found (looked for "${binary}" on PATH)`, fix: INSTALL_HINT }
      : { ok: false, problem: `rsync ("${binary}") cannot be started: ${run.spawnError.message}`, fix: INSTALL_HINT };
  }
  const parsed = parseRsyncVersion(run.stdout);
  if (run.exitCode !== 0 || !parsed) {
    const why = run.timedOut
      ? `did not answer within ${VERSION_TIMEOUT_MS / 1000} s`
      : run.exitCode !== 0
        ? `exit ${run.exitCode ?? run.signal}`
        : 'printed no version';
    return { ok: false, problem: `"${binary} --version" failed (${why}): is it really rsync?`, fix: INSTALL_HINT };
  }
  return { ok: true, ...parsed };
}

/**
 * The version in rsync's first line: "rsync  version 3.2.7  protocol version 32" (newer builds write
 * "v3.4.1"; a missing patch level counts as 0).
 */
export function parseRsyncVersion(output: string): { version: RsyncVersion; line: string } | undefined {
  const line = output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^rsync\s+version\s/.test(l));
  const match = line ? /^rsync\s+version\s+v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(line) : null;
  if (!line || !match) return undefined;
  return {
    version: { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) },
    line,
  };
}

export function isAtLeast(found: RsyncVersion, needed: RsyncVersion): boolean {
  if (found.major !== needed.major) return found.major > needed.major;
  if (found.minor !== needed.minor) return found.minor > needed.minor;
  return found.patch >= needed.patch;
}

export function formatVersion(v: RsyncVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}
