/**
 * Vital-sign trends: each vital over the last 72 hours as a small chart (uPlot: canvas, no inline styles
 * or scripts, so it runs under the app's strict CSP) with its usual range at the patient's age as a band, and a flowsheet —
 * time × vital — that holds the same numbers for reading, printing and screen readers.
 */
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { dateTime, date, time } from '../../format';
import { PendingMark } from '../../components/Pending';
import { VITALS, isOutsideUsual, unitLabel, type UsualRanges, type VitalSpec } from './clinical';
import type { ChartObservation } from './types';

export const TREND_HOURS = 72;

interface Point {
  t: number;
  v: number;
  raw: string;
  /** The observation's id (the flowsheet marks rows not sent yet). */
  id: string;
}

/** The numeric vitals of the last 72 hours, per code, oldest first. */
export function vitalSeries(observations: ChartObservation[], now: Date): Map<string, Point[]> {
  const from = now.getTime() - TREND_HOURS * 3_600_000;
  const series = new Map<string, Point[]>();
  for (const o of observations) {
    if (o.category !== 'vitals') continue;
    const t = Date.parse(o.recorded_at);
    const v = Number(o.value);
    if (t < from || t > now.getTime() + 5 * 60_000 || !Number.isFinite(v)) continue;
    series.set(o.code, [...(series.get(o.code) ?? []), { t, v, raw: o.value, id: o.id }]);
  }
  for (const list of series.values()) list.sort((a, b) => a.t - b.t);
  return series;
}

function axisTime(splits: number[]): string[] {
  return splits.map((s) => {
    const d = new Date(s * 1000);
    return d.getHours() === 0 && d.getMinutes() === 0 ? date(d.toISOString()) : time(d.toISOString());
  });
}

type Range = UsualRanges[string];

function TrendChart({
  spec,
  points,
  from,
  to,
  range,
}: {
  spec: VitalSpec;
  points: Point[];
  from: number;
  to: number;
  /** The usual range at the patient's age; none for a child's diastolic pressure (no band, no mark). */
  range: Range | undefined;
}) {
  const box = useRef<HTMLDivElement>(null);
  const lo = range?.low;
  const hi = range?.high;
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const values = points.map((p) => p.v);
    const top = Math.max(...values, ...(hi === undefined ? [] : [hi]));
    const bottom = Math.min(...values, ...(lo === undefined ? [] : [lo]));
    const span = top - bottom || 1;
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 240),
      height: 132,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 7 } },
      scales: {
        x: { time: true, range: [from / 1000, to / 1000] },
        y: { range: () => [bottom - span * 0.15, top + span * 0.15] },
      },
      axes: [
        {
          stroke: '#4a5764',
          grid: { stroke: '#eef1f4', width: 1 },
          ticks: { stroke: '#d8dee4', width: 1 },
          values: (_u, splits) => axisTime(splits),
          space: 60,
        },
        { stroke: '#4a5764', grid: { stroke: '#eef1f4', width: 1 }, ticks: { show: false }, size: 44 },
      ],
      series: [{}, { label: spec.short, stroke: '#0b6e8a', width: 2, points: { show: true, size: 6, fill: '#0b6e8a' } }],
      hooks: {
        // The usual range at the patient's age as a quiet band behind the line.
        drawClear: [
          (u) => {
            if (lo === undefined || hi === undefined) return;
            const top = u.valToPos(hi, 'y', true);
            const bottom = u.valToPos(lo, 'y', true);
            u.ctx.save();
            u.ctx.fillStyle = 'rgba(30, 122, 67, 0.10)';
            u.ctx.fillRect(u.bbox.left, top, u.bbox.width, bottom - top);
            u.ctx.restore();
          },
        ],
      },
    };
    const plot = new uPlot(opts, [points.map((p) => p.t / 1000), values], el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 240), height: 132 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [spec, points, from, to, lo, hi]);

  const latest = points.at(-1)!;
  const unit = unitLabel(spec.unit);
  // A child's band is named: it is not the range a ward of adults knows by heart.
  const usual = range ? `usual ${range.low}–${range.high}${range.source === 'adult' ? '' : ` at ${range.band}`}` : null;
  const out = range !== undefined && (latest.v < range.low || latest.v > range.high);
  const summary =
    `${spec.label}, last ${TREND_HOURS} hours: ${points.length} measurement${points.length === 1 ? '' : 's'}, ` +
    `from ${Math.min(...points.map((p) => p.v))} to ${Math.max(...points.map((p) => p.v))} ${unit}; latest ${latest.raw} ${unit} at ${dateTime(new Date(latest.t).toISOString())}` +
    (range ? `; usual range ${range.low}–${range.high} ${unit}${range.source === 'adult' ? '' : ` at ${range.band}`}.` : '.');
  return (
    <figure className="trend" aria-label={`${spec.label} trend`}>
      <figcaption>
        <strong>{spec.short}</strong>{' '}
        <span className="muted">
          {unit}
          {usual ? ` · ${usual}` : null}
        </span>
        <span className={out ? 'trend-latest value-out' : 'trend-latest'}>{latest.raw}</span>
      </figcaption>
      <div ref={box} className="trend-plot" role="img" aria-label={summary} />
    </figure>
  );
}

export function VitalTrends({ observations, now, ranges }: { observations: ChartObservation[]; now: Date; ranges: UsualRanges }) {
  const series = useMemo(() => vitalSeries(observations, now), [observations, now]);
  const to = now.getTime();
  const from = to - TREND_HOURS * 3_600_000;
  const shown = VITALS.filter((v) => (series.get(v.code)?.length ?? 0) > 0);
  if (shown.length === 0) return <p className="muted">No vital signs in the last {TREND_HOURS} hours.</p>;
  return (
    <div className="trends" role="group" aria-label={`Vital-sign trends, last ${TREND_HOURS} hours`}>
      {shown.map((v) => (
        <TrendChart key={v.code} spec={v} points={series.get(v.code)!} from={from} to={to} range={ranges[v.code]} />
      ))}
    </div>
  );
}

/** Time × vital: one row per time of measurement (newest first), one column per vital measured. */
export function Flowsheet({ observations, now, ranges }: { observations: ChartObservation[]; now: Date; ranges: UsualRanges }) {
  const { rows, columns, idsAt } = useMemo(() => {
    const series = vitalSeries(observations, now);
    const cols = VITALS.filter((v) => series.has(v.code));
    const byTime = new Map<number, Map<string, string>>();
    const idsAt = new Map<number, string[]>();
    for (const v of cols)
      for (const p of series.get(v.code)!) {
        const minute = Math.floor(p.t / 60_000) * 60_000;
        byTime.set(minute, (byTime.get(minute) ?? new Map()).set(v.code, p.raw));
        idsAt.set(minute, [...(idsAt.get(minute) ?? []), p.id]);
      }
    return { columns: cols, rows: [...byTime.entries()].sort(([a], [b]) => b - a), idsAt };
  }, [observations, now]);
  if (rows.length === 0) return null;
  return (
    <div className="flowsheet-box" tabIndex={0} role="region" aria-label="Vitals flowsheet, scrollable">
      <table className="table flowsheet" aria-label="Vitals flowsheet">
        <thead>
          <tr>
            <th scope="col">Time</th>
            {columns.map((c) => (
              <th key={c.code} scope="col" className="num">
                {c.short} <span className="muted">{unitLabel(c.unit)}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(([t, values]) => (
            <tr key={t}>
              <th scope="row" className="nowrap flowsheet-time">
                {dateTime(new Date(t).toISOString())}
                <PendingMark ids={idsAt.get(t) ?? []} />
              </th>
              {columns.map((c) => {
                const v = values.get(c.code);
                return (
                  <td key={c.code} className={`num${v && isOutsideUsual(ranges, c.code, v) ? ' value-out' : ''}`}>
                    {v ?? (
                      <>
                        <span className="muted" aria-hidden="true">
                          ·
                        </span>
                        <span className="sr-only">not measured</span>
                      </>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
