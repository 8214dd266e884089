import type { Inspection } from '../../../electron/shared/ipc-contract';

type Box = Inspection['windows'][number]['box'];

/** "top left", "centre", "bottom right": where a box lies on the photo, for the spoken summary. */
export function whereOnPhoto(box: Box, photo: { width: number; height: number }): string {
  const cx = (box.x + box.width / 2) / photo.width;
  const cy = (box.y + box.height / 2) / photo.height;
  const h = cx < 1 / 3 ? 'left' : cx > 2 / 3 ? 'right' : 'centre';
  const v = cy < 1 / 3 ? 'top' : cy > 2 / 3 ? 'bottom' : 'middle';
  return v === 'middle' ? (h === 'centre' ? 'centre' : `middle ${h}`) : `${v} ${h}`;
}

const pct = (x: number) => `${Math.round(100 * x)} %`;

/** What the picture shows, in words (the heatmap's accessible name). */
export function heatmapSummary(inspection: Inspection): string {
  const { windows, heatmap, photo } = inspection;
  const damaged = windows.filter((w) => w.damaged).length;
  const best = windows[0];
  const hottest = heatmap.values.reduce((a, b) => Math.max(a, b), 0);
  return [
    `Damage heatmap over the photo: ${damaged} of ${windows.length} windows over the damage threshold`,
    best ? `strongest window at the ${whereOnPhoto(best.box, photo)} (score ${best.score.toFixed(3)})` : 'no window',
    `hottest cell ${pct(hottest)}`,
  ].join('; ');
}

/** Windows worth outlining: the damaged ones, the three best, and the selected one. */
const outlined = (inspection: Inspection, i: number, selected: number | null) => inspection.windows[i]!.damaged || i < 3 || i === selected;

/**
 * The inspected photo with the per-cell damage probability laid over it in red (opacity by probability) and the
 * scoring windows outlined: damaged windows in yellow, the selected one in white. Clicking the photo selects the
 * best window under the pointer (best windows are drawn last, on top); the window list beside it is the keyboard
 * path to every window.
 */
export function DamageHeatmap(props: { inspection: Inspection; imageUrl: string; selected: number | null; onSelect(index: number): void; showHeat: boolean }) {
  const { inspection, imageUrl, selected, onSelect, showHeat } = props;
  const { width, height } = inspection.photo;
  const { cols, rows, values } = inspection.heatmap;
  const cellW = width / cols;
  const cellH = height / rows;
  const stroke = Math.max(1.5, width / 320);
  const font = Math.max(12, width / 36);
  const order = inspection.windows.map((_, i) => i).reverse();
  const chosen = selected === null ? undefined : inspection.windows[selected];
  return (
    <svg className="heatmap" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={heatmapSummary(inspection)} preserveAspectRatio="xMidYMid meet" data-testid="heatmap">
      <image href={imageUrl} width={width} height={height} preserveAspectRatio="none" />
      {showHeat && (
        <g className="heat" data-testid="heat-cells">
          {values.map((v, c) =>
            v < 0.03 ? null : (
              <rect key={c} x={(c % cols) * cellW} y={Math.floor(c / cols) * cellH} width={cellW + 0.5} height={cellH + 0.5} fillOpacity={Math.min(0.72, 0.1 + 0.7 * v)} />
            ),
          )}
        </g>
      )}
      {order.map((i) => {
        const w = inspection.windows[i]!;
        const show = outlined(inspection, i, selected);
        return (
          <g key={i}>
            <rect
              data-testid="window-box"
              data-rank={i + 1}
              className={`window-box${w.damaged ? ' damaged' : ''}${show ? '' : ' quiet'}`}
              x={w.box.x}
              y={w.box.y}
              width={w.box.width}
              height={w.box.height}
              strokeWidth={stroke}
              onClick={() => onSelect(i)}
            >
              <title>{`Window ${i + 1}: ${w.damaged ? 'damage' : 'clean'}, score ${w.score.toFixed(3)}`}</title>
            </rect>
            {show && (
              <text className="window-rank" x={w.box.x + stroke * 2} y={w.box.y + font} fontSize={font} strokeWidth={font / 5}>
                {i + 1}
              </text>
            )}
          </g>
        );
      })}
      {chosen && (
        <g className="window-selected" pointerEvents="none">
          <rect x={chosen.box.x} y={chosen.box.y} width={chosen.box.width} height={chosen.box.height} strokeWidth={stroke * 4} className="halo" />
          <rect x={chosen.box.x} y={chosen.box.y} width={chosen.box.width} height={chosen.box.height} strokeWidth={stroke * 2} />
        </g>
      )}
    </svg>
  );
}
