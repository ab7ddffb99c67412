import type {
  FailureReason,
  Job,
  JobKind,
  JobSource,
  JobStatus,
  MediaDetails,
  MediaType,
  MirroredFile,
  MirrorPlan,
} from '../core/types.js';

/** The columns every query that answers whole jobs selects or returns, in this order. */
export const JOB_COLUMNS = `id, status, source, media_type, title, container_path, source_path, dest_path, mapping,
  details, is_upgrade, wait_for_stable_size, retry_count, gave_up, error, error_reason, bytes_transferred,
  created_at, started_at, finished_at, duration_seconds, next_attempt_at, kind, mirror, mirrored_files`;

/** A row of `jobs` as JOB_COLUMNS read it. */
export interface JobRow {
  id: number;
  status: JobStatus;
  source: JobSource;
  media_type: MediaType;
  title: string;
  container_path: string;
  source_path: string;
  dest_path: string;
  mapping: string;
  /** JSON of the job's MediaDetails. */
  details: string;
  is_upgrade: 0 | 1;
  wait_for_stable_size: 0 | 1;
  retry_count: number;
  gave_up: 0 | 1;
  error: string | null;
  /** Written only from FailureReason values (store/jobs.ts). */
  error_reason: FailureReason | null;
  bytes_transferred: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_seconds: number | null;
  next_attempt_at: string | null;
  kind: JobKind;
  /** JSON of the job's MirrorPlan; null for a copy. */
  mirror: string | null;
  /** JSON of the MirroredFile[] the last run recorded; null until one ran. */
  mirrored_files: string | null;
}

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    status: row.status,
    source: row.source,
    mediaType: row.media_type,
    title: row.title,
    containerPath: row.container_path,
    sourcePath: row.source_path,
    destPath: row.dest_path,
    mapping: row.mapping,
    // Cast: the column holds what enqueue wrote, JSON.stringify of the job's MediaDetails.
    details: JSON.parse(row.details) as MediaDetails,
    isUpgrade: row.is_upgrade === 1,
    waitForStableSize: row.wait_for_stable_size === 1,
    retryCount: row.retry_count,
    gaveUp: row.gave_up === 1,
    error: row.error,
    errorReason: row.error_reason,
    bytesTransferred: row.bytes_transferred,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationSeconds: row.duration_seconds,
    nextAttemptAt: row.next_attempt_at,
    kind: row.kind,
    // Casts: both columns hold what this service wrote, JSON.stringify of these types.
    mirror: row.mirror === null ? null : (JSON.parse(row.mirror) as MirrorPlan),
    mirroredFiles: row.mirrored_files === null ? null : (JSON.parse(row.mirrored_files) as MirroredFile[]),
  };
}
