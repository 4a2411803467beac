/**
 * A dense table that renders only the visible rows, so a hospital-sized list stays fast.
 *
 * A table whose rows open something (`onOpen`) is an ARIA grid and ONE Tab stop (roving tabindex): the
 * arrow keys, Home/End and Page Up/Down move between rows, Enter opens the row; Arrow Up from the first
 * row reaches the column headers, where Left/Right move and Enter or Space sorts. Columns with a
 * `sortValue` sort by their header (click or keyboard) and say so with `aria-sort`. Columns marked `wrap`
 * let long text wrap (the row grows) instead of cutting it off.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: string;
  width?: string;
  render: (row: T) => ReactNode;
  /** What the column sorts by; a column with one is sortable from its header. */
  sortValue?: (row: T) => string | number | null;
  /** Long content wraps onto more lines instead of being cut off. */
  wrap?: boolean;
}

export type SortState = { key: string; dir: 'asc' | 'desc' } | null;

/** Where the grid's single Tab stop is: a data row, or a header cell (row -1). */
interface Position {
  row: number;
  col: number;
}

const PAGE = 10;

function compare(a: string | number | null, b: string | number | null): number {
  // Empty values go last whichever the direction, so "no alert" never tops an alert list.
  if (a === null || a === '') return b === null || b === '' ? 0 : 1;
  if (b === null || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
}

/** Rows in the order of `sort`: stable, so rows equal in the sorted column keep their given order. */
export function sortRows<T>(rows: T[], columns: Array<Column<T>>, sort: SortState): T[] {
  const column = sort ? columns.find((c) => c.key === sort.key) : undefined;
  if (!sort || !column?.sortValue) return rows;
  const value = column.sortValue;
  const sign = sort.dir === 'asc' ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i, v: value(row) }))
    .sort((a, b) => {
      const emptyA = a.v === null || a.v === '';
      const emptyB = b.v === null || b.v === '';
      if (emptyA !== emptyB) return emptyA ? 1 : -1;
      return sign * compare(a.v, b.v) || a.i - b.i;
    })
    .map((x) => x.row);
}

export function VirtualTable<T>({
  rows: given,
  columns,
  rowKey,
  onOpen,
  label,
  height = 560,
  rowHeight = 36,
  empty,
  initialSort = null,
}: {
  rows: T[];
  columns: Array<Column<T>>;
  rowKey: (r: T) => string;
  onOpen?: (r: T) => void;
  label: string;
  height?: number;
  rowHeight?: number;
  empty?: ReactNode;
  initialSort?: SortState;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const head = useRef<HTMLDivElement>(null);
  const [sort, setSort] = useState<SortState>(initialSort);
  const rows = useMemo(() => sortRows(given, columns, sort), [given, columns, sort]);
  const grid = Boolean(onOpen);
  const [pos, setPos] = useState<Position>({ row: 0, col: 0 });
  // Set by keyboard moves: focus follows the position once the row is rendered.
  const focusWanted = useRef(false);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parent.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    // Measured heights follow the row, not its place: after a sort a tall row (wrapped alerts) moves
    // and its DOM element is not resized, so sizes kept by index overlapped rows (issue 18).
    getItemKey: (i) => rowKey(rows[i]!),
  });
  const template = columns.map((c) => c.width ?? '1fr').join(' ');
  const row = Math.min(pos.row, rows.length - 1);
  const items = virtual.getVirtualItems();
  const activeRendered = row >= 0 && items.some((v) => v.index === row);

  useEffect(() => {
    if (!focusWanted.current) return;
    const target =
      row < 0
        ? head.current?.querySelector<HTMLElement>(`[data-col="${pos.col}"]`)
        : parent.current?.querySelector<HTMLElement>(`[data-index="${row}"]`);
    if (target) {
      focusWanted.current = false;
      target.focus({ preventScroll: row < 0 });
    }
  });

  if (rows.length === 0 && empty) return <div className="empty">{empty}</div>;

  const sortBy = (key: string): void => setSort((s) => ({ key, dir: s?.key === key && s.dir === 'asc' ? 'desc' : 'asc' }));

  const moveTo = (next: Position): void => {
    focusWanted.current = true;
    if (next.row >= 0) virtual.scrollToIndex(next.row, { align: 'auto' });
    setPos(next);
  };

  const onRowKey = (e: KeyboardEvent<HTMLDivElement>, index: number): void => {
    const last = rows.length - 1;
    const to = (r: number): void => {
      e.preventDefault();
      moveTo({ row: Math.max(0, Math.min(last, r)), col: pos.col });
    };
    if (e.key === 'ArrowDown') to(index + 1);
    else if (e.key === 'PageDown') to(index + PAGE);
    else if (e.key === 'PageUp') to(index - PAGE);
    else if (e.key === 'Home') to(0);
    else if (e.key === 'End') to(last);
    else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (index === 0) {
        const sorted = columns.findIndex((c) => c.key === sort?.key);
        moveTo({ row: -1, col: sorted >= 0 ? sorted : 0 });
      } else moveTo({ row: index - 1, col: pos.col });
    } else if (e.key === 'Enter') {
      e.preventDefault();
      onOpen?.(rows[index]!);
    }
  };

  const onHeadKey = (e: KeyboardEvent<HTMLElement>, col: number): void => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      const next = Math.max(0, Math.min(columns.length - 1, col + (e.key === 'ArrowRight' ? 1 : -1)));
      moveTo({ row: -1, col: next });
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      moveTo({ row: -1, col: e.key === 'Home' ? 0 : columns.length - 1 });
    } else if (e.key === 'ArrowDown' && rows.length > 0) {
      e.preventDefault();
      moveTo({ row: 0, col });
    } else if ((e.key === 'Enter' || e.key === ' ') && columns[col]?.sortValue) {
      e.preventDefault();
      sortBy(columns[col]!.key);
    }
  };

  // Exactly one element of a grid is in the Tab order: the active row, or the active header cell.
  const headTab = (col: number): number => (grid ? (row < 0 && pos.col === col ? 0 : -1) : 0);

  return (
    <div
      className="vtable"
      role={grid ? 'grid' : 'table'}
      aria-label={label}
      aria-rowcount={rows.length + 1}
      aria-colcount={columns.length}
      aria-readonly={grid ? true : undefined}
    >
      <div className="vtable-head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }} ref={head}>
        {columns.map((c, i) => {
          const ariaSort = c.sortValue
            ? sort?.key === c.key
              ? sort.dir === 'asc'
                ? 'ascending'
                : 'descending'
              : 'none'
            : undefined;
          return (
            <div key={c.key} role="columnheader" aria-sort={ariaSort} aria-colindex={i + 1}>
              {c.sortValue ? (
                <button
                  type="button"
                  className="th-sort"
                  data-col={i}
                  tabIndex={headTab(i)}
                  onClick={() => {
                    setPos({ row: -1, col: i });
                    sortBy(c.key);
                  }}
                  onKeyDown={grid ? (e) => onHeadKey(e, i) : undefined}
                >
                  {c.header}
                  <span aria-hidden="true" className="sort-mark">
                    {sort?.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                  </span>
                </button>
              ) : grid ? (
                <span className="th-plain" data-col={i} tabIndex={headTab(i)} onKeyDown={(e) => onHeadKey(e, i)}>
                  {c.header}
                </span>
              ) : (
                c.header
              )}
            </div>
          );
        })}
      </div>
      <div
        className="vtable-body"
        ref={parent}
        style={{ maxHeight: height }}
        // A plain table scrolls by keyboard; a grid whose active row is scrolled out of the rendered
        // window keeps its Tab stop here and hands focus to that row.
        tabIndex={!grid || (row >= 0 && !activeRendered) ? 0 : undefined}
        onFocus={(e) => {
          if (grid && e.target === e.currentTarget && row >= 0) moveTo({ row, col: pos.col });
        }}
        role="rowgroup"
      >
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }} role="presentation">
          {items.map((v) => {
            const r = rows[v.index]!;
            return (
              <div
                key={rowKey(r)}
                ref={virtual.measureElement}
                data-index={v.index}
                role="row"
                aria-rowindex={v.index + 2}
                className={`vtable-row${grid ? ' clickable' : ''}`}
                tabIndex={grid ? (v.index === row ? 0 : -1) : undefined}
                style={{ gridTemplateColumns: template, minHeight: rowHeight, transform: `translateY(${v.start}px)` }}
                onClick={
                  onOpen
                    ? () => {
                        setPos({ row: v.index, col: pos.col });
                        onOpen(r);
                      }
                    : undefined
                }
                onFocus={grid ? () => v.index !== row && setPos({ row: v.index, col: pos.col }) : undefined}
                onKeyDown={grid ? (e) => onRowKey(e, v.index) : undefined}
              >
                {columns.map((c, i) => (
                  <div
                    key={c.key}
                    role={grid ? 'gridcell' : 'cell'}
                    aria-colindex={i + 1}
                    className={c.wrap ? 'vcell-wrap' : undefined}
                  >
                    {c.render(r)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
