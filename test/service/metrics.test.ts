// GET /metrics after real jobs (real rsync, real SQLite, a Telegram and a Plex that refuse), read by the
// Prometheus project's own text-format parser: every figure is checked against what the jobs did.
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, onCleanup, tempDir } from '../support/cleanup.js';
import { startFakeServer } from '../support/fake-http.js';
import { post, request } from '../support/http-client.js';
import { startInProcess } from '../support/in-process.js';
import { waitForJob } from '../support/jobs-api.js';
import { radarrDownload, sonarrDownload } from '../support/payloads.js';
import { type MetricFamily, parsePrometheusText, samplesOf, sampleValue } from '../support/prometheus-text.js';
import { layoutOf } from '../support/service-layout.js';
import { makeTree } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);

const API_KEY = 'metrics-key';
const AUTH = { 'X-Api-Key': API_KEY };

async function scrape(
  app: Parameters<typeof request>[0],
  headers: Record<string, string> = {},
): Promise<MetricFamily[]> {
  const res = await request(app, '/metrics', { headers });
  expect(res.status, res.text).toBe(200);
  expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(res.text);
}

describe('GET /metrics', () => {
  it('counts the jobs, bytes, rsync runs and failed deliveries of real jobs, by their labels', async () => {
    // Telegram answers 500 (retried after 30 s: one failure each within this test); Plex 401 (given up): the
    // /movies scan names its section, the /tv scan's read of the library sections is refused the same way.
    const telegram = await startFakeServer({ status: 500, body: { ok: false, description: 'down' } });
    const plex = await startFakeServer({ status: 401, body: 'unauthorized' });
    onCleanup(() => telegram.close());
    onCleanup(() => plex.close());
    const dir = await tempDir();
    const l = layoutOf(dir);
    const svc = await startInProcess({
      dir,
      mappings: [
        { container: '/movies', source: l.moviesSrc, destination: l.moviesDst, plex_section: 1 },
        { container: '/tv', source: l.tvSrc, destination: l.tvDst },
      ],
      env: {
        SYNC_MAX_RETRIES: '0',
        TELEGRAM_BOT_TOKEN: '1:metrics',
        TELEGRAM_CHAT_ID: '1',
        TELEGRAM_API_URL: telegram.url,
        PLEX_URL: plex.url,
        PLEX_TOKEN: 'plex-metrics',
      },
    });
    // The target ids the outbox rows carry, as the service names them (docs/notifications.md).
    const TELEGRAM = 'tgram://1/1';
    const PLEX = `plex://${new URL(plex.url).host}`;
    await makeTree(svc.moviesSrc, { 'Good (2020)/good.mkv': 300_000 });
    await makeTree(svc.tvSrc, { 'Show/Season 01/Show - S01E01.mkv': 120_000 });

    const before = await scrape(svc.app);
    expect(sampleValue(before, 'sync_webhook_jobs', { status: 'success' })).toBe(0);
    expect(sampleValue(before, 'sync_webhook_queue_oldest_age_seconds')).toBe(0);
    expect(samplesOf(before, 'sync_webhook_jobs_finished_total')).toEqual([]);

    const movie = await post(
      svc.app,
      '/sync/radarr',
      await radarrDownload({ folder: 'Good (2020)', file: 'good.mkv' }),
    );
    const episode = await post(
      svc.app,
      '/sync/sonarr',
      await sonarrDownload({ seriesFolder: 'Show', season: 1, episode: 1, file: 'Show - S01E01.mkv' }),
    );
    const missing = await post(svc.app, '/sync/radarr', await radarrDownload({ folder: 'Gone (2020)', file: 'g.mkv' }));
    const [movieJob, episodeJob] = [
      await waitForJob(svc, movie.body.job_id, 'success'),
      await waitForJob(svc, episode.body.job_id, 'success'),
      await waitForJob(svc, missing.body.job_id, 'failed'),
    ];
    // One Telegram attempt per target head (then a 30 s backoff), one Plex attempt per scan (given up).
    await telegram.waitForRequests(1);
    await plex.waitForRequests(2);
    await waitFor(async () => {
      const families = await scrape(svc.app);
      const plexGivenUp = sampleValue(families, 'sync_webhook_deliveries_given_up_total', { target: PLEX });
      const telegramFailed = sampleValue(families, 'sync_webhook_delivery_failures_total', { target: TELEGRAM });
      return plexGivenUp === 2 && telegramFailed === 1 ? true : undefined;
    });

    const m = await scrape(svc.app);
    expect(samplesOf(m, 'sync_webhook_info')).toEqual([
      { name: 'sync_webhook_info', labels: { version: expect.stringMatching(/^\d+\.\d+\.\d+/) }, value: 1 },
    ]);
    expect(sampleValue(m, 'sync_webhook_jobs', { status: 'success' })).toBe(2);
    expect(sampleValue(m, 'sync_webhook_jobs', { status: 'failed' })).toBe(1);
    expect(sampleValue(m, 'sync_webhook_jobs', { status: 'queued' })).toBe(0);
    expect(sampleValue(m, 'sync_webhook_queue_depth')).toBe(0);
    expect(sampleValue(m, 'sync_webhook_queue_oldest_age_seconds')).toBe(0);

    const finished = (status: string, source: string, mapping: string) =>
      sampleValue(m, 'sync_webhook_jobs_finished_total', { status, source, mapping });
    expect(finished('success', 'radarr', '/movies')).toBe(1);
    expect(finished('success', 'sonarr', '/tv')).toBe(1);
    expect(finished('failed', 'radarr', '/movies')).toBe(1);
    expect(samplesOf(m, 'sync_webhook_jobs_finished_total')).toHaveLength(3);

    expect(movieJob.bytes_transferred).toBeGreaterThanOrEqual(300_000);
    expect(sampleValue(m, 'sync_webhook_copied_bytes_total', { source: 'radarr', mapping: '/movies' })).toBe(
      movieJob.bytes_transferred,
    );
    expect(sampleValue(m, 'sync_webhook_copied_bytes_total', { source: 'sonarr', mapping: '/tv' })).toBe(
      episodeJob.bytes_transferred,
    );

    // Two copies ran rsync; the missing source never reached it.
    expect(sampleValue(m, 'sync_webhook_rsync_duration_seconds_count', { outcome: 'success' })).toBe(2);
    expect(sampleValue(m, 'sync_webhook_rsync_duration_seconds_bucket', { outcome: 'success', le: '+Inf' })).toBe(2);
    const sum = Number(sampleValue(m, 'sync_webhook_rsync_duration_seconds_sum', { outcome: 'success' }));
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(60);
    expect(samplesOf(m, 'sync_webhook_rsync_duration_seconds_count', { outcome: 'failed' })).toEqual([]);

    expect(sampleValue(m, 'sync_webhook_delivery_failures_total', { target: TELEGRAM })).toBe(1);
    expect(sampleValue(m, 'sync_webhook_deliveries_given_up_total', { target: TELEGRAM })).toBeUndefined();
    expect(sampleValue(m, 'sync_webhook_delivery_failures_total', { target: PLEX })).toBe(2);
    expect(sampleValue(m, 'sync_webhook_deliveries_given_up_total', { target: PLEX })).toBe(2);
    // The failed message and the two behind it wait, in order; the Plex scan left the queue.
    expect(sampleValue(m, 'sync_webhook_outbox_pending', { target: TELEGRAM })).toBe(3);
    expect(sampleValue(m, 'sync_webhook_outbox_pending', { target: PLEX })).toBeUndefined();

    for (const root of [svc.moviesSrc, svc.tvSrc])
      expect(sampleValue(m, 'sync_webhook_mount_up', { root, role: 'source' })).toBe(1);
    for (const root of [svc.moviesDst, svc.tvDst])
      expect(sampleValue(m, 'sync_webhook_mount_up', { root, role: 'destination' })).toBe(1);

    // prom-client's process metrics, named as Grafana's Node.js dashboards expect them.
    expect(Number(sampleValue(m, 'process_resident_memory_bytes'))).toBeGreaterThan(10 * 2 ** 20);
    expect(Number(sampleValue(m, 'process_cpu_seconds_total'))).toBeGreaterThan(0);
    expect(samplesOf(m, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
    expect(m.find((f) => f.name === 'sync_webhook_rsync_duration_seconds')?.type).toBe('histogram');
    expect(m.find((f) => f.name === 'sync_webhook_jobs_finished')?.type).toBe('counter');
  });

  it('shows the queue waiting on a share that is down: depth, oldest age, mount_up 0', async () => {
    // Temp folders on the root filesystem are not mount points: with mounts required, every share is down.
    const svc = await startInProcess({ env: { SYNC_REQUIRE_MOUNTS: 'true', SYNC_API_KEY: API_KEY } });
    const body = await radarrDownload({ folder: 'Wait (2020)', file: 'w.mkv' });
    const res = await post(svc.app, '/sync/radarr', body, AUTH);
    expect(res.status, res.text).toBe(202);
    expect((await request(svc.app, '/metrics')).status).toBe(401);
    const m = await waitFor(async () => {
      const families = await scrape(svc.app, AUTH);
      const down = samplesOf(families, 'sync_webhook_mount_up').filter((s) => s.value === 0).length;
      return down === 4 && Number(sampleValue(families, 'sync_webhook_queue_oldest_age_seconds')) > 0
        ? families
        : undefined;
    });
    expect(sampleValue(m, 'sync_webhook_queue_depth')).toBe(1);
    expect(sampleValue(m, 'sync_webhook_jobs', { status: 'queued' })).toBe(1);
    const age = Number(sampleValue(m, 'sync_webhook_queue_oldest_age_seconds'));
    expect(age).toBeGreaterThan(0);
    expect(age).toBeLessThan(60);
    const mounts = samplesOf(m, 'sync_webhook_mount_up');
    expect(mounts.map((s) => `${s.labels.role} ${s.labels.root}`).sort()).toEqual(
      [
        `destination ${svc.moviesDst}`,
        `destination ${svc.tvDst}`,
        `source ${svc.moviesSrc}`,
        `source ${svc.tvSrc}`,
      ].sort(),
    );
    expect(mounts.every((s) => s.value === 0)).toBe(true);
    expect(samplesOf(m, 'sync_webhook_jobs_finished_total')).toEqual([]);
  });

  it('answers a scraper without credentials with SYNC_METRICS_AUTH=false; other routes stay guarded', async () => {
    const svc = await startInProcess({ env: { SYNC_API_KEY: API_KEY, SYNC_METRICS_AUTH: 'false' } });
    const open = await request(svc.app, '/metrics');
    expect(open.status, open.text).toBe(200);
    expect(samplesOf(await parsePrometheusText(open.text), 'sync_webhook_queue_depth')).toHaveLength(1);
    expect((await request(svc.app, '/jobs')).status).toBe(401);
    expect((await request(svc.app, '/stats')).status).toBe(401);
  });
});
