import { basename, relative } from 'node:path';
import type { Dataset, Photo, Problem } from '../core/dataset/model';
import type { ScanSummary } from '../core/dataset/summary';
import type { DatasetSource, ParsedRequest, PhotoDetail, PhotoSummary, ScanSummaryDto } from '../shared/ipc-contract';

/**
 * The open dataset as the renderer sees it: photo summaries for the grid and, per photo, the problems the
 * loader reported on its image or annotation files.
 */
export class DatasetView {
  private readonly byId: Map<string, Photo>;
  private readonly problemsByPhoto = new Map<string, Problem[]>();
  private readonly orphanProblems: Problem[] = [];

  /** The dataset folders merged into `dataset` (one for a plain dataset), by folder name. */
  readonly sources: DatasetSource[];

  /** `parts`: the folders as loaded before mergeDatasets (absent: `dataset` is one folder). */
  constructor(
    readonly dataset: Dataset,
    private readonly summary: ScanSummary,
    parts: Dataset[] = [dataset],
  ) {
    this.sources = parts.map((d) => ({ name: basename(d.root), path: d.root, photos: d.photos.length }));
    this.byId = new Map(dataset.photos.map((p) => [p.id, p]));
    const photoOfFile = new Map<string, string>();
    for (const photo of dataset.photos) {
      photoOfFile.set(photo.fileName, photo.id);
      for (const file of photo.annotationFiles) photoOfFile.set(relative(dataset.root, file), photo.id);
    }
    for (const problem of dataset.problems) {
      const id = photoOfFile.get(problem.file);
      if (id) this.problemsByPhoto.set(id, [...(this.problemsByPhoto.get(id) ?? []), problem]);
      else this.orphanProblems.push(problem);
    }
  }

  scanSummary(): ScanSummaryDto {
    const { root, format, photos, states, zones, damageTypes, problems } = this.summary;
    return { root, format, photos, states, zones, damageTypes, problems: { ...problems, byCode: { ...problems.byCode } as Record<string, number> }, datasetProblems: this.orphanProblems };
  }

  listPhotos(filter: ParsedRequest<'listPhotos'>): { total: number; photos: PhotoSummary[] } {
    const zones = filter.zones ? new Set(filter.zones) : null;
    const types = filter.damageTypes ? new Set<string>(filter.damageTypes) : null;
    // mergeDatasets prefixes ids with the folder name when there are several folders.
    const inSource = (id: string) =>
      !filter.source || (this.sources.length > 1 ? id.startsWith(`${filter.source}__`) : this.sources[0]?.name === filter.source);
    const matching = this.dataset.photos.filter(
      (p) =>
        inSource(p.id) &&
        (!filter.state || p.state === filter.state) &&
        (!zones || (p.zone !== null && zones.has(String(p.zone) as never))) &&
        (!types || p.shapes.some((s) => s.damageType !== null && types.has(s.damageType))) &&
        (filter.withProblems === undefined || (this.problemsByPhoto.has(p.id) === filter.withProblems)),
    );
    const offset = filter.offset ?? 0;
    const page = matching.slice(offset, filter.limit === undefined ? undefined : offset + filter.limit);
    return { total: matching.length, photos: page.map((p) => this.summaryOf(p)) };
  }

  photo(id: string): PhotoDetail {
    const photo = this.byId.get(id);
    if (!photo) throw new Error(`no photo '${id}' in ${this.dataset.root}`);
    return { ...this.summaryOf(photo), shapes: photo.shapes, problemList: this.problemsByPhoto.get(id) ?? [] };
  }

  private summaryOf(photo: Photo): PhotoSummary {
    const damage = photo.shapes.filter((s) => s.damageType !== null);
    return {
      id: photo.id,
      fileName: photo.fileName,
      imagePath: photo.imagePath,
      state: photo.state,
      zone: photo.zone === null ? null : (String(photo.zone) as PhotoSummary['zone']),
      width: photo.width,
      height: photo.height,
      damageTypes: [...new Set(damage.map((s) => s.damageType!))],
      damageShapes: damage.length,
      problems: this.problemsByPhoto.get(photo.id)?.length ?? 0,
    };
  }
}
