import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PhotoInspection } from '../../core/inspection/inspect';
import { inspectPhoto } from '../../core/inspection/inspect';
import { openInspector } from '../../core/inspection/parts';
import { UsageError, type Command } from '../command';
import { parseFilters } from './search';

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Is there damage on a photo, of what type, where: a calibrated probability, the windows that carry it, their neighbours',
  usage: 'carlens inspect PHOTO [--zone 4,5] [--damage true|false] [--type dent] [-k 5] [--json] [--workspace DIR]',
  options: {
    zone: { type: 'string' },
    damage: { type: 'string' },
    type: { type: 'string' },
    k: { type: 'string', short: 'k', default: '5' },
  },
  async run(context) {
    if (context.positionals.length !== 1) throw new UsageError('inspect takes one photo');
    const photo = resolve(context.positionals[0]!);
    if (!existsSync(photo)) throw new UsageError(`no such photo: ${photo}`);
    const k = Number(context.values.k);
    if (!Number.isInteger(k) || k < 1) throw new UsageError(`-k must be a positive integer, not ${String(context.values.k)}`);
    const inspector = await openInspector(context.workspace);
    try {
      const result = await inspectPhoto(photo, inspector, { k, filters: parseFilters(context) });
      if (context.json) context.stdout.write(`${JSON.stringify({ photo_path: photo, ...result, retrieval_unavailable: inspector.retrievalUnavailable }, null, 2)}\n`);
      else context.stdout.write(formatInspection(photo, result, inspector.retrievalUnavailable));
    } finally {
      await inspector.dispose();
    }
    return 0;
  },
};

const pct = (x: number) => `${Math.round(100 * x)} %`;

export function formatInspection(photo: string, r: PhotoInspection, retrievalUnavailable: string | null): string {
  const { probability, verdict, uncertainBand } = r.damage;
  const word = verdict === 'uncertain' ? `uncertain (between ${pct(uncertainBand[0])} and ${pct(uncertainBand[1])})` : verdict === 'damaged' ? 'yes' : 'no';
  const lines = [
    `photo:  ${photo} (${r.photo.width}×${r.photo.height}${r.car ? `, car at ${r.car.x},${r.car.y} ${r.car.width}×${r.car.height}` : ', no car box: whole photo'})`,
    `damage: ${word} — P(damaged) ${pct(probability)}`,
  ];
  if (r.types.length) lines.push(`types:  ${r.types.map((t) => `${t.type} ${pct(t.score)}`).join(', ')}`);
  if (r.zone) lines.push(`zone:   ${r.zone.value} (${pct(r.zone.confidence)} of the neighbours' votes)`);
  lines.push('', `windows (best first; damaged when the score ≥ ${r.windowThreshold}):`);
  for (const w of r.windows.slice(0, 5)) {
    const neighbours = w.neighbours.length ? `  neighbours ${pct(w.neighbourDamageShare ?? 0)} damaged: ${w.neighbours.slice(0, 3).map((n) => n.crop_id).join(', ')}` : '';
    lines.push(`  ${w.damaged ? 'DAMAGE' : 'clean '}  score ${w.score.toFixed(3)}  at ${w.box.x},${w.box.y} ${w.box.width}×${w.box.height}  ${w.damaged ? (w.types[0]?.type ?? '') : ''}${neighbours}`);
  }
  if (retrievalUnavailable) lines.push('', `no neighbours: ${retrievalUnavailable}`);
  lines.push('', `took ${r.timings.totalMs} ms (locate ${r.timings.locateMs}, heads ${r.timings.analyseMs}, embed ${r.timings.embedMs}, search ${r.timings.searchMs})`);
  return `${lines.join('\n')}\n`;
}
