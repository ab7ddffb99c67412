// The one message of a catch-up pass (reconcile/): sent when a pass found something; a pass that
// found nothing is only a log line. Pure and Telegram HTML, like render.ts.
import type { ReconcileStatus, ReconcileTrigger } from '../core/reconcile.js';
import type { Message } from '../core/types.js';
import { escapeWithin, formatBytes } from './format.js';

/** Container prefixes are ours, but still strings from the configuration. */
const MAPPING_LIMIT = 256;
/** A share problem names a path and what the check saw. */
const PROBLEM_LIMIT = 512;

export interface ReconcileReport {
  id: number;
  startedBy: ReconcileTrigger;
  status: ReconcileStatus;
  items: number;
  bytes: number;
  /** The mappings where it found something. */
  found: { mapping: string; items: number; bytes: number }[];
  /** Mappings it could not check, and why. */
  notChecked: { mapping: string; problem: string }[];
  /** Null: it only looked (POST /reconcile/<id>/queue queues them). */
  queued: { created: number; folded: number } | null;
}

const STARTED_BY: Record<ReconcileTrigger, string> = {
  api: 'asked through the API',
  schedule: 'scheduled',
  after_downtime: 'after downtime',
};

export function renderReconcileFound(r: ReconcileReport): Message {
  const items = r.items === 1 ? '1 item' : `${r.items} items`;
  const lines = [
    `🔎 <b>Catch-up pass ${r.id}</b> (${STARTED_BY[r.startedBy]})`,
    `${items} missing or different at the destination (${formatBytes(r.bytes)})`,
    '',
  ];
  for (const m of r.found)
    lines.push(`${escapeWithin(m.mapping, MAPPING_LIMIT)}: ${m.items} (${formatBytes(m.bytes)})`);
  for (const m of r.notChecked) {
    lines.push(`⚠️ ${escapeWithin(m.mapping, MAPPING_LIMIT)} not checked: ${escapeWithin(m.problem, PROBLEM_LIMIT)}`);
  }
  if (r.status === 'timed_out') lines.push('⏱️ The pass ran out of time (SYNC_RECONCILE_TIMEOUT_SECONDS)');
  lines.push('');
  lines.push(
    r.queued
      ? `Queued: ${r.queued.created} new job(s); ${r.queued.folded} already had one`
      : `Not queued. To queue them: POST /reconcile/${r.id}/queue`,
  );
  return { title: 'Catch-up Found Missing Media', body: lines.join('\n') };
}
