// Seeds a job history straight into the SQLite file of a STOPPED service (ours or the peer), in one
// transaction: a year of jobs, oldest first (id order = creation order), about 30% movies and 70%
// episodes (2% manual), 95% success and 5% failed. Old failures have given up (no retry left, as
// they would have after a year); only FEW_FAILED failures lie in the last 24 h, so
// POST /queue/retry-failed has a few jobs to requeue, as on a real box. Deterministic (seeded PRNG).
import { openSqlite } from './common.mjs';

export const FEW_FAILED = 5;
const DAY = 86_400_000;
const YEAR = 365 * DAY;
const QUALITIES = ['Bluray-1080p', 'WEBDL-1080p', 'WEBDL-2160p', 'HDTV-720p', 'Bluray-2160p'];
const ERRORS = [
  'rsync failed with exit code 23: some files/attrs were not transferred (see previous errors)',
  'Source not ready: source is missing',
  'rsync failed with exit code 12: error in rsync protocol data stream',
];

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Calls `each` with every row, as a plain object, shared by both schemas. */
export function history(n, nowMs, layout, each) {
  const rnd = prng(42);
  const perDay = Math.max(FEW_FAILED, Math.floor(n / 365));
  const recentFailed = new Map();
  for (let k = 0; k < FEW_FAILED; k++) recentFailed.set(n - 1 - Math.floor((k * perDay) / FEW_FAILED), k);
  const start = nowMs - YEAR;
  for (let i = 0; i < n; i++) {
    const created = Math.floor(start + ((i + rnd()) * (YEAR - 60_000)) / n);
    const startedAt = created + Math.floor(rnd() * 5000);
    const duration = 1 + rnd() * rnd() * 3600;
    const finished = Math.min(startedAt + Math.floor(duration * 1000), nowMs - 1000);
    const r = rnd();
    const movie = r < 0.3;
    const manual = r > 0.98;
    const quality = QUALITIES[i % QUALITIES.length];
    const size = Math.floor(1e8 + rnd() * 6e10);
    let status = rnd() < 0.05 ? 'failed' : 'success';
    let gaveUp = 0;
    let retryCount = 0;
    let nextAttempt = null;
    const recent = recentFailed.get(i);
    if (recent !== undefined) {
      status = 'failed';
      // Two still have an automatic retry ahead (due in 10 min), three have given up.
      if (recent < 2) {
        retryCount = 1;
        nextAttempt = nowMs + 10 * 60_000;
      } else {
        gaveUp = 1;
        retryCount = 3;
      }
    } else if (status === 'failed') {
      if (finished >= nowMs - DAY - 3_600_000) status = 'success';
      else {
        gaveUp = 1;
        retryCount = rnd() < 0.7 ? 3 : 0;
      }
    }
    let row;
    if (movie) {
      const year = 1950 + (i % 76);
      const name = `Movie ${i} (${year})`;
      const file = `${name} [${quality}].mkv`;
      row = {
        source: manual ? 'manual' : 'radarr',
        media_type: 'movie',
        title: name,
        details: { title: `Movie ${i}`, year, quality, sizeBytes: size },
        container_path: `/movies/${name}`,
        source_path: `${layout.moviesSrc}/${name}`,
        dest_path: layout.moviesDst,
        mapping: '/movies',
        dedupe_key: `${layout.moviesSrc}/${name}/${file}`,
      };
    } else {
      const show = `Show ${i % 5000} (2020)`;
      const season = 1 + (i % 12);
      const ep = 1 + (i % 24);
      const code = `S${String(season).padStart(2, '0')}E${String(ep).padStart(2, '0')}`;
      const rel = `${show}/Season ${String(season).padStart(2, '0')}/${show} - ${code} - Episode ${i} [${quality}].mkv`;
      row = {
        source: manual ? 'manual' : 'sonarr',
        media_type: 'episode',
        title: `${show} - ${code}: Episode ${i}`,
        details: { title: show, episodeCode: code, episodeTitle: `Episode ${i}`, quality, sizeBytes: size },
        container_path: `/tv/${rel}`,
        source_path: `${layout.tvSrc}/${rel}`,
        dest_path: `${layout.tvDst}/${show}/Season ${String(season).padStart(2, '0')}`,
        mapping: '/tv',
        dedupe_key: `${layout.tvSrc}/${rel}`,
      };
    }
    // (Properties set one by one: an object spread here made generation 10x slower.)
    row.status = status;
    row.quality = quality;
    row.size = size;
    row.created = created;
    row.startedAt = startedAt;
    row.finished = finished;
    row.duration = (finished - startedAt) / 1000;
    row.gaveUp = gaveUp;
    row.retryCount = retryCount;
    row.nextAttempt = nextAttempt;
    row.error = status === 'failed' ? ERRORS[i % ERRORS.length] : null;
    each(row);
  }
}

/** Settings for this loading connection only (the service sets its own when it opens the file). */
function fastBulkLoad(db) {
  // No rollback journal and no WAL for the load: every page is written once (WAL would write it
  // twice, once to the log and once at the checkpoint). The service switches WAL back on at open.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
}
function endBulkLoad(db) {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
}

/** Our schema (src/store/migrations). Returns a description of what was written. */
export async function seedOurs(dbPath, n, layout, nowMs = Date.now()) {
  const db = await openSqlite(dbPath, { readonly: false });
  const insert = db.prepare(
    `INSERT INTO jobs (status, source, media_type, title, container_path, source_path, dest_path, mapping,
    dedupe_key, details, is_upgrade, wait_for_stable_size, retry_count, gave_up, error, bytes_transferred, ` +
      `created_at, started_at,
    finished_at, duration_seconds, next_attempt_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const iso = (ms) => new Date(ms).toISOString();
  const t0 = Date.now();
  fastBulkLoad(db);
  // Indexes and triggers of jobs are dropped for the load and created again from their own SQL after
  // it: the same schema, built in one sorted pass instead of a million incremental updates.
  const schema = db
    .prepare(
      "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'jobs' " +
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL",
    )
    .all();
  db.transaction(() => {
    for (const o of schema) db.exec(`DROP ${o.type.toUpperCase()} "${o.name}"`);
    history(n, nowMs, layout, (r) => {
      insert.run(
        r.status,
        r.source,
        r.media_type,
        r.title,
        r.container_path,
        r.source_path,
        r.dest_path,
        r.mapping,
        r.dedupe_key,
        JSON.stringify(r.details),
        r.source === 'manual' ? 1 : 0,
        r.retryCount,
        r.gaveUp,
        r.error,
        r.status === 'success' ? r.size : null,
        iso(r.created),
        iso(r.startedAt),
        iso(r.finished),
        r.duration,
        r.nextAttempt === null ? null : iso(r.nextAttempt),
      );
    });
    for (const o of schema) db.exec(o.sql);
    // The counters the triggers keep: recomputed for the rows loaded without them.
    db.exec('UPDATE job_status_counts SET count = (SELECT COUNT(*) FROM jobs WHERE status = job_status_counts.status)');
  })();
  endBulkLoad(db);
  const took = (Date.now() - t0) / 1000;
  const q = (sql, ...a) =>
    db
      .prepare(sql)
      .pluck()
      .get(...a);
  const out = {
    rows: q('SELECT COUNT(*) FROM jobs'),
    failed: q("SELECT count FROM job_status_counts WHERE status = 'failed'"),
    counted: q('SELECT SUM(count) FROM job_status_counts'),
    failed24h: q("SELECT COUNT(*) FROM jobs WHERE status = 'failed' AND finished_at >= ?", iso(nowMs - DAY)),
    today: q('SELECT COUNT(*) FROM jobs WHERE finished_at >= ?', iso(nowMs - DAY)),
    mb: (q('PRAGMA page_count') * q('PRAGMA page_size')) / 2 ** 20,
    took,
  };
  db.close();
  if (out.counted !== out.rows) throw new Error(`job_status_counts sum ${out.counted} != rows ${out.rows}`);
  return out;
}

/** The peer's schema (app.py init_database: sync_jobs). created_at like SQLite's CURRENT_TIMESTAMP. */
export async function seedPeer(dbPath, n, layout, nowMs = Date.now()) {
  const db = await openSqlite(dbPath, { readonly: false });
  const insert = db.prepare(
    `INSERT INTO sync_jobs (job_type, source_path, dest_path, title, quality, file_size, status,
    error_message, created_at, completed_at, duration_seconds, retry_count) ` +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const sqlTime = (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
  const pyIso = (ms) => new Date(ms).toISOString().replace('Z', '');
  const t0 = Date.now();
  fastBulkLoad(db);
  const schema = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'sync_jobs' AND type = 'index' AND sql IS NOT NULL")
    .all();
  db.transaction(() => {
    for (const o of schema) db.exec(`DROP INDEX "${o.name}"`);
    history(n, nowMs, layout, (r) => {
      insert.run(
        r.media_type,
        r.source_path,
        r.dest_path,
        r.title,
        r.quality,
        r.size,
        r.status,
        r.error,
        sqlTime(r.created),
        pyIso(r.finished),
        r.duration,
        r.retryCount,
      );
    });
    for (const o of schema) db.exec(o.sql);
  })();
  endBulkLoad(db);
  const took = (Date.now() - t0) / 1000;
  const q = (sql, ...a) =>
    db
      .prepare(sql)
      .pluck()
      .get(...a);
  const out = {
    rows: q('SELECT COUNT(*) FROM sync_jobs'),
    failed: q("SELECT COUNT(*) FROM sync_jobs WHERE status = 'failed'"),
    failed24h: q("SELECT COUNT(*) FROM sync_jobs WHERE status = 'failed' AND created_at > ?", sqlTime(nowMs - DAY)),
    mb: (q('PRAGMA page_count') * q('PRAGMA page_size')) / 2 ** 20,
    took,
  };
  db.close();
  return out;
}
