import { useCallback, useEffect, useRef, useState } from 'react';
import { DAMAGE_TYPE_VALUES, ZONE_VALUES, type CropCounts, type SearchFilters, type SearchResponse, type SearchResult } from '../../../electron/shared/ipc-contract';
import { api } from '../api';
import { ChoiceChips, Chips } from '../components/Chips';
import { InspectionPanel } from '../components/InspectionPanel';
import { QueryInterpretation } from '../components/QueryInterpretation';
import { ResultCard } from '../components/ResultCard';
import { StaleIndexNotice } from '../components/StaleIndexNotice';
import { damageLabel, useZoneNames } from '../labels';
import { errorText, useApp, type SearchState } from '../store';
import { SourcePhotoDialog } from './PhotoView';

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  // Chunks: String.fromCharCode with a spread of a whole photo overflows the call stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The neighbours' vote of a whole-photo or text search, leaving out what the filters decided (never a finding). */
function SearchAnswer({ answer, filters }: { answer: SearchResponse['answer']; filters: SearchFilters }) {
  const zones = useZoneNames();
  const parts: string[] = [];
  if (filters.hasDamage === undefined) parts.push(answer.hasDamage ? `${answer.hasDamage.value ? 'damage' : 'no damage'} (${Math.round(answer.hasDamage.confidence * 100)}%)` : 'no evidence');
  if (!filters.zones?.length && answer.zone) parts.push(`zone ${answer.zone.value} ${zones.long(answer.zone.value)} (${Math.round(answer.zone.confidence * 100)}%)`);
  if (!filters.damageTypes?.length && answer.damageTypes.length > 0) parts.push(answer.damageTypes.slice(0, 3).map((t) => `${damageLabel(t.value)} ${Math.round(t.confidence * 100)}%`).join(', '));
  if (parts.length === 0) return null;
  return (
    <div className="answer" data-testid="answer">
      <strong>Neighbours&apos; vote:</strong> {parts.join(' · ')}
    </div>
  );
}

/** A new query: the previous photo, text and their answers go, so nothing shown belongs to an older query. */
const NO_QUERY: Partial<SearchState> = { file: null, submitted: '', wholePhoto: false, inspection: null, inspectedWith: null, response: null, searchedWith: null };

/**
 * A dropped or picked photo is inspected (damage yes/no with a probability, types, zone, a heatmap, windows and
 * their neighbours); "Whole-photo search" and text queries search the index as a whole. Filters re-run at once.
 * The query and filters sit in a column beside the answers, so the answers keep the screen's height. A result opens
 * its source photo over the screen, and closing it comes back to the same results.
 */
export function Search() {
  const { dataset, pipeline, search, setSearch } = useApp();
  const zones = useZoneNames();
  // The query and its answers live in the store: they survive leaving the screen (and text and filters a reload).
  const { file, text, submitted, filters, wholePhoto, inspection, response } = search;
  const setText = (t: string) => setSearch({ text: t });
  const setFilters = (f: SearchFilters) => setSearch({ filters: f });
  const setWholePhoto = (w: boolean) => setSearch({ wholePhoto: w });
  const [inspecting, setInspecting] = useState(false);
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [opened, setOpened] = useState<SearchResult | null>(null);
  const [counts, setCounts] = useState<CropCounts | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  // The chips count the crops search can return: asked again when phase 1 changes them.
  const cropsPhase = pipeline?.phases.find((p) => p.phase === 'crops')?.status;
  useEffect(() => {
    if (dataset) api.cropCounts({}).then(setCounts, () => setCounts(null));
  }, [dataset, cropsPhase]);

  const takeFile = useCallback(async (f: File | undefined) => {
    if (!f) return;
    setError(null);
    // A drop is a new query even when it is refused: the previous photo's answers must not stay under its error.
    if (f.size === 0 || !f.type.startsWith('image/')) setSearch(NO_QUERY);
    if (f.size === 0) return setError(`${f.name} is empty (0 bytes): drop a photo file`);
    if (!f.type.startsWith('image/')) return setError(`${f.name} is not an image: drop a photo (JPEG, PNG, WebP, GIF, BMP or TIFF)`);
    setSearch({ ...NO_QUERY, file: { name: f.name, base64: await toBase64(f), preview: URL.createObjectURL(f) } });
  }, [setSearch]);

  // The whole window is a drop target while this screen is shown.
  useEffect(() => {
    const over = (e: DragEvent) => {
      e.preventDefault();
      setDragging(true);
    };
    const leave = () => setDragging(false);
    const drop = (e: DragEvent) => {
      e.preventDefault();
      setDragging(false);
      void takeFile(e.dataTransfer?.files[0]);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [takeFile]);

  // A photo is inspected; filters narrow its windows' neighbours (not its answer), so they re-run it too.
  useEffect(() => {
    if (!file || !dataset) return setSearch({ inspection: null, inspectedWith: null });
    // Back on the screen: the stored inspection already answers this photo and these filters.
    const was = useApp.getState().search.inspectedWith;
    if (was && was.file === file && was.filters === filters && was.dataset === dataset) return;
    let stale = false;
    setInspecting(true);
    setError(null);
    api
      .inspect({ image: { bytesBase64: file.base64, name: file.name }, filters, k: 8 })
      .then(
        (r) => !stale && setSearch({ inspection: r, inspectedWith: { file, filters, dataset } }),
        (e: unknown) => {
          if (stale) return;
          setError(errorText(e));
          // The service refused the photo (or could not answer): its preview goes with its answers.
          setSearch(NO_QUERY);
        },
      )
      .finally(() => !stale && setInspecting(false));
    return () => {
      stale = true;
    };
  }, [file, filters, dataset, setSearch]);

  // With a photo, the whole-photo search runs only when asked for; without one, a submitted text runs it.
  const searchShown = !file || wholePhoto;
  useEffect(() => {
    if (!searchShown || (!file && !submitted) || !dataset) return setSearch({ response: null, searchedWith: null });
    const was = useApp.getState().search.searchedWith;
    if (was && was.file === file && was.submitted === submitted && was.filters === filters && was.dataset === dataset) return;
    let stale = false;
    setSearching(true);
    setError(null);
    api
      .search({ image: file ? { bytesBase64: file.base64, name: file.name } : undefined, text: submitted || undefined, filters, k: 24 })
      .then((r) => !stale && setSearch({ response: r, searchedWith: { file, submitted, filters, dataset } }), (e: unknown) => !stale && setError(errorText(e)))
      .finally(() => !stale && setSearching(false));
    return () => {
      stale = true;
    };
  }, [searchShown, file, submitted, filters, dataset, setSearch]);

  if (!dataset) return <p className="muted empty">Open a dataset first.</p>;
  const count = (n: number | undefined) => (counts ? (n ?? 0) : undefined);
  return (
    <section className={dragging ? 'search dragging' : 'search'}>
      <header className="toolbar">
        <h2>Search</h2>
        {/* Filters re-run a shown inspection or search: the old answer stays until the new one is in. */}
        {((inspecting && inspection) || (searching && response)) && <span className="muted toolbar-note" role="status">Updating…</span>}
      </header>
      <div className="search-body">
        <div className="search-controls">
          <button type="button" className="dropzone" onClick={() => picker.current?.click()} title="Pick a query photo">
            {file ? <img src={file.preview} alt={`query ${file.name}`} /> : <span>Drop a photo here<br />or click to pick one</span>}
          </button>
          <input ref={picker} type="file" accept="image/*" hidden onChange={(e) => void takeFile(e.target.files?.[0])} />
          <form
            className="text-query"
            onSubmit={(e) => {
              e.preventDefault();
              setError(null);
              setSearch(file ? { submitted: text.trim(), wholePhoto: true } : { submitted: text.trim() });
            }}
          >
            <input value={text} onChange={(e) => setText(e.target.value)} placeholder="Describe the damage, e.g. dent on the driver door" aria-label="Query text" />
            <div className="text-query-actions">
              <button type="submit" className="primary" disabled={!file && !text.trim()}>Search</button>
              {file && (
                <button type="button" aria-pressed={wholePhoto} className={wholePhoto ? 'toggle on' : 'toggle'} onClick={() => setWholePhoto(!wholePhoto)}>
                  Whole-photo search
                </button>
              )}
              {file && (
                <button
                  type="button"
                  onClick={() => {
                    setSearch({ file: null, wholePhoto: false });
                    setError(null);
                  }}
                >
                  Clear photo
                </button>
              )}
            </div>
          </form>
          <div className="filters">
            <Chips
              label="Zone"
              options={ZONE_VALUES}
              selected={filters.zones ?? []}
              onChange={(z) => setFilters({ ...filters, zones: z.length ? z : undefined })}
              render={(z) => `${z} · ${zones.short(z)}`}
              count={(z) => count(counts?.zones[z])}
              title={(z) => `zone ${z}: ${zones.long(z)}${counts ? ` (${counts.zones[z] ?? 0} crops)` : ''}`}
            />
            <ChoiceChips
              label="Damage"
              name="Has damage"
              options={[undefined, true, false] as const}
              value={filters.hasDamage}
              onChange={(v) => setFilters({ ...filters, hasDamage: v })}
              render={(v) => (v === undefined ? 'any' : v ? 'damaged' : 'undamaged')}
              count={(v) => count(v === undefined ? counts?.total : v ? counts?.damaged : counts?.clean)}
            />
            <Chips
              label="Type"
              options={DAMAGE_TYPE_VALUES}
              selected={filters.damageTypes ?? []}
              onChange={(t) => setFilters({ ...filters, damageTypes: t.length ? t : undefined })}
              render={damageLabel}
              count={(t) => count(counts?.damageTypes[t])}
            />
          </div>
        </div>
        <div className="search-output">
          {error && <p className="error" role="alert">{error}</p>}
          {!file && !submitted && !error && <p className="muted empty">Drop a photo to inspect it, or describe the damage to search the crops.</p>}
          {inspecting && !inspection && <p className="muted loading">Inspecting the photo…</p>}
          {inspection && <InspectionPanel key={inspection.photoPath} inspection={inspection} filters={filters} onOpen={setOpened} />}
          {searchShown && (file || submitted) && (
            <div className="whole-search">
              {file && <h3>Whole-photo search</h3>}
              {searching && <p className="muted loading">Searching…</p>}
              <StaleIndexNotice reason={response?.staleIndex} />
              {response?.interpretation && <QueryInterpretation interpretation={response.interpretation} filters={filters} onChange={setFilters} />}
              {response && <SearchAnswer answer={response.answer} filters={filters} />}
              {response && response.results.length === 0 && <p className="muted empty">No crop passes these filters.</p>}
              <ul className="results" aria-label="Search results">
                {response?.results.map((r) => <ResultCard key={r.cropId} result={r} label={`result ${r.rank}`} onOpen={setOpened} />)}
              </ul>
            </div>
          )}
        </div>
      </div>
      {opened && <SourcePhotoDialog result={opened} onClose={() => setOpened(null)} />}
    </section>
  );
}
