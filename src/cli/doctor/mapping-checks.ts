// Each mapping's two roots, looked at the way the service looks before every copy (mounts/probe.ts):
// in a child process with SYNC_MOUNT_TIMEOUT_SECONDS, so a hung share answers "did not answer" instead
// of hanging doctor.
import type { Config } from '../../config/load.js';
import type { Finding } from '../../core/finding.js';
import type { Mapping, MountCheck } from '../../core/types.js';
import type { MountProbe } from '../../mounts/probe.js';

type Side = 'source' | 'destination';

export interface MappingCheckDeps {
  probe: MountProbe;
  config: Pick<Config, 'mappings' | 'mounts'>;
  /** The mappings file (SYNC_CONFIG), to name the key to correct; undefined for the built-in table. */
  mappingsFile: string | undefined;
  uid: number | undefined;
}

export async function checkMappings(deps: MappingCheckDeps): Promise<Finding[]> {
  const looks = deps.config.mappings.flatMap((mapping, index) =>
    (['source', 'destination'] as const).map((side) => checkSide(mapping, index, side, deps)),
  );
  return Promise.all(looks);
}

async function checkSide(mapping: Mapping, index: number, side: Side, deps: MappingCheckDeps): Promise<Finding> {
  const root = mapping[side];
  const subject = `${mapping.container} ${side}`;
  const result = await deps.probe.checkRoot(root, side);
  if (result.ok) return { level: 'ok', subject, detail: `${root.path}: ${whatWasChecked(root, side, deps)}` };
  return { level: 'problem', subject, detail: result.problem, fix: fixFor(result.problem, root, index, side, deps) };
}

function whatWasChecked(root: MountCheck, side: Side, deps: MappingCheckDeps): string {
  return [
    deps.config.mounts.require ? 'mounted' : null,
    root.fstype ? root.fstype : null,
    root.anchor ? `anchor ${root.anchor} present` : null,
    side === 'source' ? 'readable, not empty' : 'writable',
  ]
    .filter((part) => part !== null)
    .join(', ');
}

function fixFor(problem: string, root: MountCheck, index: number, side: Side, deps: MappingCheckDeps): string {
  if (problem.includes('is not mounted')) {
    return `mount the share at ${root.path}; for a local folder that is no mount point, set SYNC_REQUIRE_MOUNTS=false`;
  }
  if (problem.includes('did not answer') || problem.includes('still not answering')) {
    return (
      `the share at ${root.path} hangs: check its server and the network ` +
      `(SYNC_MOUNT_TIMEOUT_SECONDS is ${deps.config.mounts.timeoutSeconds})`
    );
  }
  const where = deps.mappingsFile
    ? `key mappings.${index}.${side} of ${deps.mappingsFile}`
    : 'the built-in mappings (set SYNC_CONFIG to a mappings file of your own)';
  const access = side === 'source' ? 'readable' : 'writable';
  const who = deps.uid === undefined ? 'the service' : `uid ${deps.uid}`;
  const how = 'mount the share, create the folder, or fix its permissions';
  return `make ${root.path} ${access} for ${who} (${how}), or correct ${where}`;
}
