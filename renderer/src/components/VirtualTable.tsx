/** A dense table that renders only the visible rows, so a hospital-sized list stays fast. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: string;
  width?: string;
  render: (row: T) => ReactNode;
}

export function VirtualTable<T>({
  rows,
  columns,
  rowKey,
  onOpen,
  label,
  height = 560,
  rowHeight = 36,
  empty,
}: {
  rows: T[];
  columns: Array<Column<T>>;
  rowKey: (r: T) => string;
  onOpen?: (r: T) => void;
  label: string;
  height?: number;
  rowHeight?: number;
  empty?: ReactNode;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parent.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });
  const template = columns.map((c) => c.width ?? '1fr').join(' ');
  if (rows.length === 0 && empty) return <div className="empty">{empty}</div>;
  return (
    <div className="vtable" role="table" aria-label={label} aria-rowcount={rows.length + 1}>
      <div className="vtable-head" role="row" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <div key={c.key} role="columnheader">
            {c.header}
          </div>
        ))}
      </div>
      <div className="vtable-body" ref={parent} style={{ maxHeight: height }} tabIndex={onOpen ? undefined : 0} role="rowgroup">
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }} role="presentation">
          {virtual.getVirtualItems().map((v) => {
            const row = rows[v.index]!;
            return (
              <div
                key={rowKey(row)}
                role="row"
                aria-rowindex={v.index + 2}
                className={`vtable-row${onOpen ? ' clickable' : ''}`}
                tabIndex={onOpen ? 0 : -1}
                style={{ gridTemplateColumns: template, height: rowHeight, transform: `translateY(${v.start}px)` }}
                onClick={onOpen ? () => onOpen(row) : undefined}
                onKeyDown={
                  onOpen
                    ? (e) => {
                        if (e.key === 'Enter') onOpen(row);
                      }
                    : undefined
                }
              >
                {columns.map((c) => (
                  <div key={c.key} role="cell">
                    {c.render(row)}
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
