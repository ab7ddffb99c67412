import { NotReadyError } from '../core/errors.js';
import type { Mapping, MountCheck } from '../core/types.js';
import type { MountMonitor } from './monitor.js';
import type { MountProbe, ProbeResult } from './probe.js';
import type { RootHealthCache } from './root-health-cache.js';

/** The one question a job asks of the shares before it copies. */
export interface MountGate {
  /**
   * Resolves when both roots of the mapping may be used now; otherwise throws a NotReadyError of
   * scope 'mapping' (the same share holds every queued job of the mapping) naming the problem.
   */
  ensureReady(mapping: Mapping): Promise<void>;
}

export interface MountGateDeps {
  /** The background check's last answers: a root known to be down is not probed again per job. */
  monitor: Pick<MountMonitor, 'problemOf' | 'reportProblem'>;
  probe: Pick<MountProbe, 'checkRoot'>;
  /** Roots probed healthy a moment ago and still on the same mount skip the full probe. */
  rootHealth: Pick<RootHealthCache, 'stillHealthy' | 'markHealthy' | 'forget'>;
  /** How long the jobs of a mapping whose share is down wait before they are looked at again. */
  recheckMs: number;
}

export function createMountGate(deps: MountGateDeps): MountGate {
  const notReady = (problem: string) =>
    new NotReadyError(`Waiting for mount: ${problem}`, deps.recheckMs, 'mapping', { reason: 'mount_down' });

  const probe = async (check: MountCheck, role: 'source' | 'destination'): Promise<ProbeResult> => {
    // An anchor is there for what the mount table cannot show (a Docker bind mount whose NFS share
    // went away): it is looked for before every rsync, never taken from a recent probe.
    if (!check.anchor && deps.rootHealth.stillHealthy(check.path)) return { ok: true };
    const result = await deps.probe.checkRoot(check, role);
    if (result.ok) deps.rootHealth.markHealthy(check.path);
    else deps.rootHealth.forget(check.path);
    return result;
  };

  return {
    async ensureReady(mapping) {
      for (const root of [mapping.source.path, mapping.destination.path]) {
        const known = deps.monitor.problemOf(root);
        if (known) throw notReady(known);
      }
      const [source, destination] = await Promise.all([
        probe(mapping.source, 'source'),
        probe(mapping.destination, 'destination'),
      ]);
      for (const [check, result] of [
        [mapping.source, source],
        [mapping.destination, destination],
      ] as const) {
        if (!result.ok) {
          deps.monitor.reportProblem(check.path, result.problem, result.state);
          throw notReady(result.problem);
        }
      }
    },
  };
}
