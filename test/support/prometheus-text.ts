/**
 * Reads a GET /metrics answer with the Prometheus project's own text-format parser (its Python client,
 * Debian's python3-prometheus-client, run by prometheus-text.py): a line it refuses fails the test.
 * No npm package parses labelled histograms right (parse-prometheus-text-format merges them into one).
 *
 *   const families = await parsePrometheusText(res.text);
 *   sampleValue(families, 'sync_webhook_jobs', { status: 'success' });   // 1
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The interpreter Debian's python3-prometheus-client installs for (not a pyenv or venv one). */
const SYSTEM_PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'prometheus-text.py');

export interface Sample {
  /** The series name: a histogram's `x_bucket`, `x_sum`, `x_count`; a counter's `x_total`. */
  name: string;
  labels: Record<string, string>;
  /** A number, or "+Inf", "-Inf", "NaN". */
  value: number | string;
}

export interface MetricFamily {
  /** The family name (a counter's without `_total`, as the parser names it). */
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

export function parsePrometheusText(text: string): Promise<MetricFamily[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(SYSTEM_PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) => reject(new Error(`${SYSTEM_PYTHON} cannot run: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) return resolve(JSON.parse(stdout));
      const missing = /No module named 'prometheus_client'/.test(stderr)
        ? ' (apt-get install python3-prometheus-client)'
        : '';
      reject(new Error(`the Prometheus parser refused the text${missing}:\n${stderr}\n--- text ---\n${text}`));
    });
    child.stdin.end(text);
  });
}

/** Every sample of the series `name` (any family) whose labels include `labels`. */
export function samplesOf(families: MetricFamily[], name: string, labels: Record<string, string> = {}): Sample[] {
  return families
    .flatMap((family) => family.samples)
    .filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value));
}

/** The value of the one sample of `name` with exactly these `labels`, or undefined when there is none. */
export function sampleValue(
  families: MetricFamily[],
  name: string,
  labels: Record<string, string> = {},
): number | string | undefined {
  const exact = samplesOf(families, name, labels).filter(
    (s) => Object.keys(s.labels).length === Object.keys(labels).length,
  );
  if (exact.length > 1) throw new Error(`${exact.length} samples of ${name} ${JSON.stringify(labels)}`);
  return exact[0]?.value;
}
