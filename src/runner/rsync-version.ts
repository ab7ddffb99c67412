// The oldest rsync that takes every flag buildRsyncArgs passes. An older one would fail every job
// ("unknown option"); the start stops instead, naming the version found and the one needed.

/**
 * Each flag buildRsyncArgs can pass (short options one by one, `--name=VALUE` as `--name`, but
 * `--info=progress2` whole), and the rsync release that has it, from rsync's NEWS.md (the copy Debian's
 * rsync 3.2.7 ships): "Added --mkpath" in 3.2.3; "Added --info=FLAGS … --info=progress2" in 3.1.0, whose
 * NEWS also names `--no-h`; "--human-readable (-h)" in 2.6.7; "Added the --partial-dir=DIR option" in
 * 2.6.3; "Added --no-whole-file" in 2.5.3; "New --ignore-existing" in 2.5.2; the rest are older than the
 * oldest NEWS entry (2.5.0). A flag added to rsync-args.ts needs its line here (a test checks). Updating a
 * partial-dir file in place on a resume came with 3.2.0; an older rsync still resumes, through a temp file.
 */
export const RSYNC_FLAG_SINCE: Readonly<Record<string, string>> = {
  '-a': '2.5.0',
  '-v': '2.5.0',
  '-h': '2.6.7',
  '--no-human-readable': '3.1.0',
  '--stats': '2.5.0',
  '--info=progress2': '3.1.0',
  '--ignore-existing': '2.5.2',
  '--exclude': '2.5.0',
  '--mkpath': '3.2.3',
  '--dry-run': '2.5.0',
  '--partial-dir': '2.6.3',
  '--whole-file': '2.5.0',
  '--no-whole-file': '2.5.3',
  '--block-size': '2.5.0',
  '--bwlimit': '2.5.0',
};

/** "3.2.7" from rsync --version's first line ("rsync  version 3.2.7  protocol version 31"). */
export function parseRsyncVersion(versionLine: string): string | undefined {
  return /\bversion\s+v?(\d+\.\d+\.\d+)/.exec(versionLine)?.[1];
}

/** Negative when a is older than b, 0 when equal, positive when newer. */
export function compareVersions(a: string, b: string): number {
  const [pa, pb] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) {
    const diff = (pa?.[i] ?? 0) - (pb?.[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** The release every flag needs, and the flags that need exactly it. */
export function requiredRsync(): { version: string; flags: string[] } {
  let version = '0.0.0';
  for (const since of Object.values(RSYNC_FLAG_SINCE)) if (compareVersions(since, version) > 0) version = since;
  const flags = Object.keys(RSYNC_FLAG_SINCE).filter((flag) => RSYNC_FLAG_SINCE[flag] === version);
  return { version, flags };
}

export type RsyncVersionCheck =
  | { kind: 'ok'; version: string }
  | { kind: 'too-old'; problem: string }
  | { kind: 'unknown'; problem: string };

/** Whether the rsync that printed `versionLine` takes every flag the service passes. */
export function checkRsyncVersion(versionLine: string): RsyncVersionCheck {
  const needed = requiredRsync();
  const found = parseRsyncVersion(versionLine);
  if (found === undefined) {
    return {
      kind: 'unknown',
      problem: `cannot read rsync's version from "${versionLine}"; sync-webhook needs rsync ${needed.version} or newer`,
    };
  }
  if (compareVersions(found, needed.version) >= 0) return { kind: 'ok', version: found };
  return {
    kind: 'too-old',
    problem:
      `rsync ${found} is too old: sync-webhook needs rsync ${needed.version} or newer ` +
      `(for ${needed.flags.join(', ')}); install a newer rsync, or use the sync-webhook Docker image`,
  };
}
