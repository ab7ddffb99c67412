import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { History } from '../api';
import { formatBytes } from '../format';

export interface HistoryProps {
  history: History | undefined;
  error: Error | undefined;
}

/** Bytes and successes/failures per day over 30 days (days in the service's TZ), and the top failure reasons. */
export function HistoryPanel({ history, error }: HistoryProps) {
  const days = history?.days ?? [];
  const totals = days.reduce(
    (sum, d) => ({ bytes: sum.bytes + d.bytes, ok: sum.ok + d.successes, failed: sum.failed + d.failures }),
    { bytes: 0, ok: 0, failed: 0 },
  );
  return (
    <section class="panel panel-history" aria-labelledby="history-heading">
      <h2 id="history-heading">History, last 30 days</h2>
      {error && (
        <p class="error" role="alert">
          History could not be loaded: {error.message}
        </p>
      )}
      {history && (
        <>
          <p class="muted">
            {formatBytes(totals.bytes)} copied; {totals.ok} succeeded, {totals.failed} failed (days in{' '}
            {history.time_zone}).
          </p>
          <div class="charts">
            <Chart
              title="Bytes copied per day"
              days={days}
              series={[{ label: 'Bytes', values: days.map((d) => d.bytes), color: 'var(--chart-1)' }]}
              formatValue={formatBytes}
            />
            <Chart
              title="Jobs per day"
              days={days}
              series={[
                { label: 'Succeeded', values: days.map((d) => d.successes), color: 'var(--chart-ok)' },
                { label: 'Failed', values: days.map((d) => d.failures), color: 'var(--chart-bad)' },
              ]}
              formatValue={(v) => String(Math.round(v))}
            />
          </div>
          <h3>Commonest failure reasons</h3>
          {history.failure_reasons.length === 0 ? (
            <p class="muted">No failures.</p>
          ) : (
            <ol class="reasons">
              {history.failure_reasons.map((r) => (
                <li key={r.reason}>
                  <code>{r.reason}</code> <span class="num">{r.count}×</span>
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}

interface Series {
  label: string;
  values: number[];
  color: string;
}

/**
 * A bar chart of per-day values drawn by uPlot on a canvas, with the same figures as a hidden table for
 * screen readers. Colours come from CSS variables, so the chart follows the light or dark scheme.
 */
function Chart({
  title,
  days,
  series,
  formatValue,
}: {
  title: string;
  days: History['days'];
  series: Series[];
  formatValue: (v: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const style = getComputedStyle(element);
    const colour = (value: string) => style.getPropertyValue(value.slice(4, -1)).trim() || value;
    const ink = style.getPropertyValue('--muted').trim();
    const grid = style.getPropertyValue('--line').trim();
    const xs = days.map((d) => Date.parse(`${d.day}T12:00:00`) / 1000);
    // One series: a bar centred on its day; two: side by side, left and right of it.
    const barsFor = (index: number) =>
      uPlot.paths.bars?.({
        size: [0.9 / series.length, 24],
        align: series.length === 1 ? 0 : index === 0 ? -1 : 1,
      });
    const plot = new uPlot(
      {
        width: Math.max(200, element.clientWidth),
        height: 180,
        legend: { show: series.length > 1 },
        cursor: { drag: { x: false, y: false } },
        // Half a day either side, so the first and last bars are whole.
        scales: { x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] } },
        axes: [
          { stroke: ink, grid: { show: false }, ticks: { stroke: grid } },
          {
            stroke: ink,
            grid: { stroke: grid },
            ticks: { show: false },
            size: 70,
            values: (_u, v) => v.map(formatValue),
          },
        ],
        series: [
          { label: 'Day', value: (_u: uPlot, v: number | null) => (v === null ? '—' : dayLabel(v)) },
          ...series.map((s, index) => ({
            label: s.label,
            stroke: colour(s.color),
            fill: colour(s.color),
            width: 0,
            points: { show: false },
            paths: barsFor(index),
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatValue(v)),
          })),
        ],
      },
      [xs, ...series.map((s) => s.values)],
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, element.clientWidth), height: 180 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
    // The series and their format are derived from days: a new chart only when the days change.
  }, [days]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} class="chart-box" aria-hidden="true" />
      <table class="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {series.map((s) => (
              <th scope="col" key={s.label}>
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days.map((d, i) => (
            <tr key={d.day}>
              <th scope="row">{d.day}</th>
              {series.map((s) => (
                <td key={s.label}>{formatValue(s.values[i] ?? 0)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

function dayLabel(seconds: number): string {
  return dayFormat.format(new Date(seconds * 1000));
}
