import { useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * A grid that renders only the rows in view (plus one screen above and below), so a dataset of thousands of
 * photos stays light. Cells have a fixed size; the column count follows the container width.
 */
export function VirtualGrid<T>(props: {
  items: readonly T[];
  cellWidth: number;
  cellHeight: number;
  renderCell(item: T, index: number): ReactNode;
  label: string;
}) {
  const { items, cellWidth, cellHeight, renderCell, label } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ width: 800, height: 600, top: 0 });

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setViewport({ width: el.clientWidth, height: el.clientHeight, top: el.scrollTop });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    el.addEventListener('scroll', measure, { passive: true });
    return () => {
      observer.disconnect();
      el.removeEventListener('scroll', measure);
    };
  }, []);

  const columns = Math.max(1, Math.floor(viewport.width / cellWidth));
  const rows = Math.ceil(items.length / columns);
  const first = Math.max(0, Math.floor(viewport.top / cellHeight) - Math.ceil(viewport.height / cellHeight));
  const last = Math.min(rows, Math.ceil((viewport.top + viewport.height) / cellHeight) + Math.ceil(viewport.height / cellHeight));
  const cells: ReactNode[] = [];
  for (let row = first; row < last; row++) {
    for (let col = 0; col < columns; col++) {
      const index = row * columns + col;
      if (index >= items.length) break;
      cells.push(
        <div key={index} className="vgrid-cell" role="listitem" style={{ top: row * cellHeight, left: col * cellWidth, width: cellWidth, height: cellHeight }}>
          {renderCell(items[index]!, index)}
        </div>,
      );
    }
  }
  return (
    <div ref={ref} className="vgrid" role="list" aria-label={label}>
      <div style={{ height: rows * cellHeight, position: 'relative' }}>{cells}</div>
    </div>
  );
}
