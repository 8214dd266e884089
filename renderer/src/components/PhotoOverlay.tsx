import type { CropDto, ShapeDto } from '../../../electron/shared/ipc-contract';

type BBox = CropDto['bbox'];
import { api } from '../api';
import { DAMAGE_COLORS } from '../labels';

/** The photo at its own pixel size as an SVG, with annotation polygons and/or crop boxes drawn over it. */
export function PhotoOverlay(props: {
  imagePath: string;
  width: number;
  height: number;
  shapes?: ShapeDto[];
  boxes?: { id: string; bbox: BBox; tone: 'accepted' | 'rejected' | 'active' }[];
  label: string;
}) {
  const { imagePath, width, height, shapes = [], boxes = [], label } = props;
  const stroke = Math.max(2, width / 400);
  return (
    <svg className="overlay" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} preserveAspectRatio="xMidYMid meet">
      <image href={api.imageUrl(imagePath)} width={width} height={height} />
      {shapes.map((shape, i) => {
        const color = shape.damageType ? DAMAGE_COLORS[shape.damageType] : '#ffffff';
        return (
          <polygon
            key={i}
            data-testid="shape"
            points={shape.points.map(([x, y]) => `${x},${y}`).join(' ')}
            fill={color}
            fillOpacity={0.25}
            stroke={color}
            strokeWidth={stroke}
            strokeDasharray={shape.damageType ? undefined : `${stroke * 3} ${stroke * 2}`}
          >
            <title>{shape.damageType ?? `label ${shape.label} (not damage)`}</title>
          </polygon>
        );
      })}
      {boxes.map((box) => (
        <rect
          key={box.id}
          data-testid="crop-box"
          className={`box ${box.tone}`}
          x={box.bbox.x}
          y={box.bbox.y}
          width={box.bbox.width}
          height={box.bbox.height}
          strokeWidth={stroke * (box.tone === 'active' ? 2 : 1)}
        />
      ))}
    </svg>
  );
}
