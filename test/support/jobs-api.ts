/**
 * Jobs as the API answers them (GET /jobs, GET /jobs/<id>), and waiting for a job to reach a state.
 * The JSON shape is written out here rather than taken from src/, so a rename inside the service
 * cannot silently change what the tests expect the API to answer.
 */

import { getJson, type Target } from './http-client.js';
import { lastLines, type Service } from './launch.js';
import { waitFor } from './wait-for.js';

export type JobStatusJson = 'queued' | 'in_progress' | 'success' | 'failed';

/** One job in an answer of the API (snake_case fields; `details` as the sender described the media). */
export interface JobJson {
  id: number;
  status: JobStatusJson;
  source: 'radarr' | 'sonarr' | 'manual' | 'reconcile';
  media_type: 'movie' | 'episode';
  title: string;
  container_path: string;
  source_path: string;
  dest_path: string;
  mapping: string;
  details: {
    title: string;
    year?: number;
    episodeCode?: string;
    episodeTitle?: string;
    quality?: string;
    sizeBytes?: number;
  };
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
  kind: 'copy' | 'upgrade' | 'rename' | 'delete';
  /** Upgrades, renames and deletes: the Radarr/Sonarr event. */
  event?: string;
  replaced_files?: string[];
  renamed_files?: { from: string | null; to: string }[];
  delete_scope?: 'files' | 'folder';
  deleted_files?: string[];
  /** Upgrades, renames and deletes: what the last run did to each file; null until one ran. */
  files?: { path: string; action: string; to: string | null; reason: string | null }[] | null;
  /** The short reason code of `error` (docs/api-dashboard.md). */
  error_reason?: string | null;
  /** Lists and GET /jobs/<id>: how many attempts the job had. */
  attempt_count?: number;
  /** In progress only: rsync's last progress line, null until it printed one. */
  progress?: { bytes: number; percent: number; rate: string; eta: string; updated_at: string } | null;
  /** GET /jobs/<id> only: bytes in the job's partial folder at the destination; null when it did not answer. */
  partial_bytes?: number | null;
  /** GET /jobs/<id> only: every attempt, oldest first. */
  attempts?: AttemptJson[];
  /** GET /jobs/<id> only: the job's notifications and media-server scans. */
  deliveries?: DeliveryJson[];
}

export interface AttemptJson {
  number: number;
  trigger: 'webhook' | 'automatic_retry' | 'manual_retry' | 'restart';
  started_at: string;
  finished_at: string | null;
  outcome: 'success' | 'failed' | 'interrupted' | null;
  rsync_exit_code: number | null;
  error: string | null;
  error_reason: string | null;
  bytes: number | null;
  duration_seconds: number | null;
}

export interface DeliveryJson {
  id: number;
  target: string;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  next_attempt_at: string | null;
}

/** A service started as a process (launch.ts) or in-process (in-process.ts). */
export type ServiceHandle = Pick<Service, 'url'> | { app: Exclude<Target, string> };

function targetOf(svc: ServiceHandle): Target {
  return 'url' in svc ? svc.url : svc.app;
}

/** GET /jobs/<id>; throws unless it answers 200. */
export async function getJob(svc: ServiceHandle, id: number): Promise<JobJson> {
  const res = await getJson<JobJson>(targetOf(svc), `/jobs/${id}`);
  if (res.status !== 200) throw new Error(`GET /jobs/${id} answered ${res.status}: ${res.text}`);
  return res.body;
}

/** Waits until the job reaches `status` (or `status(job)` holds, when a function); returns the job. */
export async function waitForJob(
  svc: ServiceHandle & { output(): string },
  id: number,
  status: JobStatusJson | ((job: JobJson) => boolean),
  timeoutMs = 15_000,
): Promise<JobJson> {
  let last: JobJson | undefined;
  try {
    return await waitFor(
      async () => {
        last = await getJob(svc, id);
        return (typeof status === 'function' ? status(last) : last.status === status) ? last : undefined;
      },
      { timeoutMs, intervalMs: 25, what: `job ${id}` },
    );
  } catch (error) {
    const state = `last job state: ${JSON.stringify(last)}`;
    throw new Error(`${(error as Error).message}\n${state}\nservice output:\n${lastLines(svc.output())}`);
  }
}
