// rsync as the service checks it at start: installed (runner/rsync.ts), and new enough for every flag
// the copies pass (runner/rsync-version.ts). Their messages say what to install.
import { coerceError } from '../../core/errors.js';
import type { Finding } from '../../core/finding.js';
import { checkRsyncAvailable } from '../../runner/rsync.js';
import { checkRsyncVersion, requiredRsync } from '../../runner/rsync-version.js';

export async function checkRsync(binary: string): Promise<Finding> {
  let versionLine: string;
  try {
    versionLine = await checkRsyncAvailable(binary);
  } catch (error) {
    return { level: 'problem', subject: 'rsync', detail: coerceError(error).message };
  }
  const verdict = checkRsyncVersion(versionLine);
  if (verdict.kind !== 'ok') return { level: 'problem', subject: 'rsync', detail: verdict.problem };
  return {
    level: 'ok',
    subject: 'rsync',
    detail: `rsync ${verdict.version} (${requiredRsync().version} or newer needed)`,
  };
}
