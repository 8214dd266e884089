/**
 * Which photos belong together and must never be split between train and held-out: photos of one insurance claim
 * (the same car, shot minutes apart) would otherwise let a held-out query find its own twin in the training index.
 *
 * The only dataset that carries such structure in its names is bilgi-car-damage (a Roboflow export, hence the
 * `_jpg.rf.<hash>` tail). Its 600 names in ../shared follow three patterns:
 *
 * - 482 `<10 random digits>_<serial>_jpg.rf.<hash>`, e.g. `0003533971_3627_jpg.rf.2c05…`: insurer photos. The
 *   10-digit part is random (no two photos share it, and photos of one car have unrelated values); the serial
 *   after it (15 … 15492) numbers the insurer's photos in shooting order, so one claim is a run of close serials.
 *   See {@link CLAIM_SERIAL_WINDOW} for how close.
 * - 81 `<6 digits>_jpg.rf.<hash>`, e.g. `001004_jpg.rf.…` (511 … 3952): web / stock photos (CarDD-like), mostly
 *   unrelated neighbours, but a few consecutive ones are crops of one picture. See {@link WEB_SERIAL_WINDOW}.
 * - 37 `<11 digits>_jpg.rf.<hash>`, all ending in 1: web photos of deployed airbags, each from a different car:
 *   one group per photo, like every name that matches no pattern.
 *
 * Other folders (flickr-car-damage-parts `1.jpg`…, car-parts-undamaged `train1.jpg`…) carry no claim structure in
 * their names: one group per photo.
 */

/** The dataset folder whose names carry claim serials. */
export const CLAIM_NUMBERED_SOURCE = 'bilgi-car-damage';

/**
 * Single-linkage window for insurer claim serials: sorted serials whose gap is ≤ this belong to one claim.
 *
 * Evidence (bilgi-car-damage, 482 serials over 15…15492, neighbours viewed as side-by-side thumbnails):
 * - The gap distribution has a clear excess at small gaps (42 gaps of 1, 34 of 2, 18-21 of 3-4) over the ~15 per
 *   value a uniform spread of 482 serials would give, so the folder holds runs of a claim's photos.
 * - Gaps 1-9: 25 of 28 clear pairs show the same car (e.g. 1275/1279/1282 one silver Kia Sportage, 1690/1695/1697
 *   one Renault Mégane, 2458/2466 one black Mercedes E; different: 5481/5486, 1500/1509, 15287/15295).
 * - Gaps 10-14: 12 of 28 clear pairs are the same car (e.g. 2013/2023/2033 one grey BMW, 3474/3484 one Ford
 *   Connect with the same plate, 5321/5334 one red Peugeot 208 with the same date stamp, 4163/4177 one Toyota C-HR;
 *   different: 5614/5624, 3664/3674, 3905/3915).
 * - Gaps 15-25: 12 of 17 pairs clearly different cars, none clearly the same (5 close-ups unclear).
 * So 14 is the last gap at which photos of one claim are still common. Merging two neighbouring claims only makes
 * the split coarser, while cutting one claim in two leaks it across sides, so the window errs on the wide side.
 * With it the 482 insurer photos form 254 groups of 1-10 photos. The two 10-photo runs were checked by eye
 * (3879-3928: a dark car, a white Ford C-Max dated 03.12.2019, a grey Mercedes; 5311-5358: a red Peugeot 208, a
 * white Fiat Egea, a black car, joined by gaps of 6-12): adjacent claims abut in the numbering, so no window parts
 * every claim.
 */
export const CLAIM_SERIAL_WINDOW = 14;

/**
 * Single-linkage window for the 6-digit web-photo serials. Pairs viewed: at gap 1, 2 of 4 are one picture or car
 * (001004/001005 two crops of one photo, 003809/003810 one pink van; 000553/000554, 001147/001148 differ); at gap
 * 2, 1 of 7 (000840/000842 one white bumper); at gaps 3-16, 0 of 10. Near-duplicate crops leak worst, so 2.
 */
export const WEB_SERIAL_WINDOW = 2;

const INSURER_PHOTO = /^\d{10}_(\d+)_jpg\.rf\.[0-9a-z]+$/i;
const WEB_PHOTO = /^(\d{6})_jpg\.rf\.[0-9a-z]+$/i;

/** The part of a photo that {@link claimGroups} reads. */
export interface PhotoName {
  /** Pipeline photo id: `<folder>__<file stem>` for merged datasets, the bare stem for a single one. */
  id: string;
  /** File name relative to the dataset root (merged: prefixed with the folder). */
  fileName: string;
}

/**
 * The dataset folder a photo id comes from: the text before `__` (see pipeline/sources.ts mergeDatasets), or ''
 * when the id has no prefix because a single folder was loaded.
 */
export function sourceOf(photoId: string): string {
  const separator = photoId.indexOf('__');
  return separator < 0 ? '' : photoId.slice(0, separator);
}

/** The file name without folders and without its extension. */
function fileStem(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/**
 * Name patterns apply to the bilgi folder, and to ids without a prefix, since a folder loaded alone has lost its
 * name (the patterns, with the Roboflow `_jpg.rf.` tail, are specific enough not to match flickr or car-parts).
 */
function readsClaimSerials(source: string): boolean {
  return source === CLAIM_NUMBERED_SOURCE || source === '';
}

/** A serial-numbered photo waiting to be linked with its neighbours. */
interface Serial {
  photoId: string;
  value: number;
}

/**
 * Single linkage over sorted serials: a photo joins the previous one's group when the gap is ≤ window. The key is
 * the smallest serial of the run, so it does not depend on the order photos come in.
 */
function linkSerials(serials: Serial[], window: number, keyPrefix: string, groups: Map<string, string>): void {
  const sorted = [...serials].sort((a, b) => a.value - b.value || (a.photoId < b.photoId ? -1 : 1));
  let runStart = Number.NaN;
  let previous = Number.NaN;
  for (const { photoId, value } of sorted) {
    if (!(value - previous <= window)) runStart = value;
    previous = value;
    groups.set(photoId, `${keyPrefix}:${runStart}`);
  }
}

/**
 * Photo id → group key: photos with one key must land on the same side of the split. Keys read
 * `<source>:claim:<first serial>`, `<source>:web:<first serial>` or `<source>:photo:<id without prefix>`.
 * Keys are a function of the whole photo set: adding a photo that bridges two runs merges them. Unprefixed ids
 * get source '', so a folder loaded alone gets other keys (and may split otherwise) than the same folder merged.
 */
export function claimGroups(photos: readonly PhotoName[]): Map<string, string> {
  const groups = new Map<string, string>();
  // Serials are linked only within one source and one pattern: two folders' numbers are unrelated.
  const runs = new Map<string, { window: number; serials: Serial[] }>();
  const addSerial = (keyPrefix: string, window: number, serial: Serial) => {
    const run = runs.get(keyPrefix) ?? { window, serials: [] };
    run.serials.push(serial);
    runs.set(keyPrefix, run);
  };
  const seen = new Set<string>();
  for (const photo of photos) {
    if (seen.has(photo.id)) throw new Error(`photo id '${photo.id}' appears twice; a split needs unique ids`);
    seen.add(photo.id);
    const source = sourceOf(photo.id);
    const stem = fileStem(photo.fileName);
    const insurer = readsClaimSerials(source) ? INSURER_PHOTO.exec(stem) : null;
    const web = readsClaimSerials(source) ? WEB_PHOTO.exec(stem) : null;
    if (insurer) addSerial(`${source}:claim`, CLAIM_SERIAL_WINDOW, { photoId: photo.id, value: Number(insurer[1]) });
    else if (web) addSerial(`${source}:web`, WEB_SERIAL_WINDOW, { photoId: photo.id, value: Number(web[1]) });
    else groups.set(photo.id, `${source}:photo:${source ? photo.id.slice(source.length + 2) : photo.id}`);
  }
  for (const [keyPrefix, { window, serials }] of runs) linkSerials(serials, window, keyPrefix, groups);
  return groups;
}
