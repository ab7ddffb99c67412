import type { Finding } from '../../core/finding.js';
import { formatVersion, isAtLeast, MINIMUM_RSYNC_VERSION, probeRsync } from '../../system/rsync-version.js';

/** Installed, and new enough for every option the copies use. */
export async function checkRsync(binary: string): Promise<Finding> {
  const probe = await probeRsync(binary);
  if (!probe.ok) return { level: 'problem', subject: 'rsync', detail: probe.problem, fix: probe.fix };
  const found = formatVersion(probe.version);
  const needed = formatVersion(MINIMUM_RSYNC_VERSION);
  if (!isAtLeast(probe.version, MINIMUM_RSYNC_VERSION)) {
    return {
      level: 'problem',
      subject: 'rsync',
      detail: `rsync ${found} is too old: the copies need ${needed} or newer (--mkpath)`,
      fix: `install rsync ${needed} or newer (Debian 12 ships 3.2.7)`,
    };
  }
  return { level: 'ok', subject: 'rsync', detail: `rsync ${found} (${needed} or newer needed)` };
}
