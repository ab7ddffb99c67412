import type {
  Attempt,
  AttemptOutcome,
  AttemptTrigger,
  FailureReason,
  Job,
  JobKind,
  JobProgress,
  JobSource,
  JobStatus,
  MediaDetails,
  MediaType,
  MirroredFile,
  MirrorEvent,
  MirrorPlan,
} from '../core/types.js';

/**
 * A job as GET /jobs and GET /jobs/<id> answer it: the documented snake_case fields, in this order.
 * The fields the dashboard added (error_reason on) come after those of the first API and of mirroring
 * (kind to files), so a client that reads the old ones by position or name sees them unchanged.
 */
export interface JobJson {
  id: number;
  status: JobStatus;
  source: JobSource;
  media_type: MediaType;
  title: string;
  container_path: string;
  source_path: string;
  dest_path: string;
  mapping: string;
  details: MediaDetails;
  is_upgrade: boolean;
  wait_for_stable_size: boolean;
  retry_count: number;
  gave_up: boolean;
  error: string | null;
  bytes_transferred: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_seconds: number | null;
  next_attempt_at: string | null;
  /** copy, upgrade, rename or delete (docs/mirroring.md). */
  kind: JobKind;
  /** Upgrades, renames and deletes: the Radarr/Sonarr event. */
  event?: MirrorEvent;
  /** Upgrades: the files the import replaced, as Radarr/Sonarr named them. */
  replaced_files?: string[];
  /** Renames: each file's previous path (null when the payload had none) and new path. */
  renamed_files?: { from: string | null; to: string }[];
  /** Deletes: `files` (those named in `deleted_files`) or `folder` (every file of the folder gone at the source). */
  delete_scope?: 'files' | 'folder';
  deleted_files?: string[];
  /** Upgrades, renames and deletes: what the last run did to each file at the destination; null until one ran. */
  files?: MirroredFileJson[] | null;
  error_reason: FailureReason | null;
  /** How many attempts the job has had (when the answer knows: lists and GET /jobs/<id>). */
  attempt_count?: number;
  /** Jobs in progress only: the copy's last progress line, null until rsync prints one. */
  progress?: JobProgressJson | null;
  /**
   * GET /jobs/<id> only: bytes the job's partial copy holds in the partial folder at the destination
   * (what a retry resumes from); null when the share did not answer in time.
   */
  partial_bytes?: number | null;
}

export interface MirroredFileJson {
  path: string;
  action: MirroredFile['action'];
  /** Trashed: where in the trash; renamed: the new path. */
  to: string | null;
  /** Kept: why. */
  reason: string | null;
}

export interface JobProgressJson {
  bytes: number;
  percent: number;
  rate: string;
  eta: string;
  updated_at: string;
}

export interface AttemptJson {
  number: number;
  trigger: AttemptTrigger;
  started_at: string;
  finished_at: string | null;
  outcome: AttemptOutcome | null;
  rsync_exit_code: number | null;
  error: string | null;
  error_reason: FailureReason | null;
  bytes: number | null;
  duration_seconds: number | null;
}

/** Writes `progress` when given (the routes give it for jobs in progress only), and `attempt_count` when known. */
export function jobJson(job: Job, extra: { progress?: JobProgress | null; attemptCount?: number } = {}): JobJson {
  const json: JobJson = {
    id: job.id,
    status: job.status,
    source: job.source,
    media_type: job.mediaType,
    title: job.title,
    container_path: job.containerPath,
    source_path: job.sourcePath,
    dest_path: job.destPath,
    mapping: job.mapping,
    details: job.details,
    is_upgrade: job.isUpgrade,
    wait_for_stable_size: job.waitForStableSize,
    retry_count: job.retryCount,
    gave_up: job.gaveUp,
    error: job.error,
    bytes_transferred: job.bytesTransferred,
    created_at: job.createdAt,
    started_at: job.startedAt,
    finished_at: job.finishedAt,
    duration_seconds: job.durationSeconds,
    next_attempt_at: job.nextAttemptAt,
    kind: job.kind,
    ...(job.mirror ? mirrorJson(job.mirror, job.mirroredFiles) : {}),
    error_reason: job.errorReason,
  };
  if (extra.attemptCount !== undefined) json.attempt_count = extra.attemptCount;
  if (extra.progress !== undefined) json.progress = extra.progress && progressJson(extra.progress);
  return json;
}

function mirrorJson(plan: MirrorPlan, files: readonly MirroredFile[] | null): Partial<JobJson> {
  const asked: Partial<JobJson> =
    plan.kind === 'upgrade'
      ? { replaced_files: plan.replaced }
      : plan.kind === 'rename'
        ? { renamed_files: plan.renames }
        : { delete_scope: plan.scope, deleted_files: plan.scope === 'files' ? plan.files : [] };
  return {
    event: plan.event,
    ...asked,
    files: files === null ? null : files.map(fileJson),
  };
}

function fileJson(f: MirroredFile): MirroredFileJson {
  return { path: f.path, action: f.action, to: f.to ?? null, reason: f.reason ?? null };
}

export function progressJson(p: JobProgress): JobProgressJson {
  return { bytes: p.bytes, percent: p.percent, rate: p.rate, eta: p.eta, updated_at: p.updatedAt };
}

export function attemptJson(a: Attempt): AttemptJson {
  return {
    number: a.number,
    trigger: a.trigger,
    started_at: a.startedAt,
    finished_at: a.finishedAt,
    outcome: a.outcome,
    rsync_exit_code: a.rsyncExitCode,
    error: a.error,
    error_reason: a.errorReason,
    bytes: a.bytes,
    duration_seconds: a.durationSeconds,
  };
}
