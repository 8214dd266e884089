import { useEffect, useId, useRef, useState } from 'react';
import { DAMAGE_TYPE_VALUES, ZONE_VALUES } from '../../../electron/shared/ipc-contract';
import { api } from '../api';
import { ChoiceChips, Chips } from '../components/Chips';
import { DEFAULT_READ_OPTIONS, ReadOptionsFields, readOptionsRequest, type ReadOptions } from '../components/ReadOptionsFields';
import { RecentWorkspaces } from '../components/RecentWorkspaces';
import { VirtualGrid } from '../components/VirtualGrid';
import { WorkspaceSources } from '../components/WorkspaceSources';
import { damageLabel, useZoneNames } from '../labels';
import { useApp, type OpenOptions } from '../store';
import { PhotoView } from './PhotoView';


/** An open form's error, scrolled into view when it appears: the sidebar's forms may sit below the fold. */
function FormError({ message }: { message: string }) {
  const ref = useRef<HTMLParagraphElement>(null);
  // In braces: Chromium's scrollIntoView now returns a promise, which React would take for a clean-up function.
  useEffect(() => {
    void ref.current?.scrollIntoView({ block: 'nearest' });
  }, [message]);
  return <p className="error" role="alert" ref={ref}>{message}</p>;
}

/**
 * The dataset folder, and for a plain LabelMe folder how to read it: every photo's state (else a photo with damage
 * shapes is damaged), the label map and zone table (else labelmap.json / zones.csv in the folder, if any), and the
 * workspace the phases write to. Empty fields are left out, so the core's defaults apply.
 */
export function OpenDatasetForm() {
  const { openDataset, opening, openError, openErrorOf } = useApp();
  const [path, setPath] = useState('');
  const [read, setRead] = useState<ReadOptions>(DEFAULT_READ_OPTIONS);
  const [workspace, setWorkspace] = useState('');
  const id = useId();
  const submit = () => {
    const options: OpenOptions = readOptionsRequest(read);
    if (workspace.trim()) options.workspace = workspace.trim();
    void openDataset(path.trim(), options);
  };
  return (
    <form
      className="open-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (path.trim()) submit();
      }}
    >
      <label htmlFor={`${id}-path`}>Dataset folder</label>
      <input id={`${id}-path`} value={path} onChange={(e) => setPath(e.target.value)} placeholder="/path/to/labelme-dataset" spellCheck={false} aria-describedby={`${id}-paths`} />
      <button type="submit" className="primary" disabled={opening || !path.trim()}>
        {opening ? 'Opening…' : 'Open dataset'}
      </button>
      <fieldset className="open-options">
        <legend>Plain LabelMe folder (a seed-convention folder names these in its file names)</legend>
        <ReadOptionsFields id={id} value={read} onChange={setRead} />
        <span className="field">
          <label htmlFor={`${id}-workspace`}>Workspace</label>
          <input id={`${id}-workspace`} value={workspace} onChange={(e) => setWorkspace(e.target.value)} placeholder="the app's default" spellCheck={false} />
        </span>
        <p className="form-hint" id={`${id}-paths`}>
          Folders: a full path (/…, or ~/… for your home folder). Label map and zone table: a name or path inside the dataset folder, or a full path.
        </p>
      </fieldset>
      {openError && openErrorOf === 'dataset' && <FormError message={openError} />}
    </form>
  );
}

/**
 * A workspace the pipeline built (`npm run cli -- run`): the app reads which dataset folders its crops come from
 * and opens them all, with the photo ids the CLI and the index use.
 */
export function OpenWorkspaceForm() {
  const { openWorkspace, opening, openError, openErrorOf } = useApp();
  const [path, setPath] = useState('');
  const id = useId();
  return (
    <form
      className="open-form workspace-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (path.trim()) void openWorkspace(path.trim());
      }}
    >
      <label htmlFor={`${id}-ws`}>Workspace folder</label>
      <input id={`${id}-ws`} value={path} onChange={(e) => setPath(e.target.value)} placeholder="/path/to/workspace built by the pipeline" spellCheck={false} title="A full path (/…, or ~/… for your home folder)" />
      <button type="submit" className="primary" disabled={opening || !path.trim()}>
        {opening ? 'Opening…' : 'Open workspace'}
      </button>
      {openError && openErrorOf === 'workspace' && <FormError message={openError} />}
    </form>
  );
}

export function DatasetBrowser() {
  const { dataset, photos, photosError, filters, setFilters, openPhoto, photo } = useApp();
  const zones = useZoneNames();
  if (!dataset) {
    return (
      <section className="empty-state">
        <h2>No dataset open</h2>
        <p>Open a LabelMe dataset folder (the seed naming convention or a plain LabelMe folder), or a workspace the pipeline has built (all its dataset folders at once).</p>
        <RecentWorkspaces />
        <OpenDatasetForm />
        <OpenWorkspaceForm />
      </section>
    );
  }
  const { summary } = dataset;
  return (
    <section className="browser">
      <header className="summary-bar">
        <div>
          <strong title={dataset.root} data-testid="dataset-name">
            {dataset.kind === 'workspace' ? `Workspace ${dataset.workspace.split('/').pop()}` : dataset.root.split('/').pop()}
          </strong>
          {dataset.kind === 'workspace' && <span className="muted"> · {dataset.sources.length} {dataset.sources.length === 1 ? 'source' : 'sources'}</span>}
          <span className="muted"> · {summary.format} · {summary.photos} photos ({summary.states.damaged} damaged, {summary.states.undamaged} undamaged)</span>
        </div>
        <div className={summary.problems.errors ? 'badge error' : 'badge'}>
          {summary.problems.errors} errors · {summary.problems.warnings} warnings
        </div>
      </header>
      {dataset.kind === 'workspace' && <WorkspaceSources />}
      <div className="filters">
        <ChoiceChips
          label="State"
          options={[null, 'damaged', 'undamaged'] as const}
          value={filters.state}
          onChange={(state) => setFilters({ state })}
          render={(state) => state ?? 'all'}
          count={(state) => (state === null ? summary.photos : summary.states[state])}
        />
        {dataset.sources.length > 1 && (
          <div className="chips" role="group" aria-label="Source">
            <span className="chips-label">Source</span>
            {[null, ...dataset.sources.map((s) => s.name)].map((source) => (
              <button key={String(source)} type="button" className={filters.source === source ? 'chip on' : 'chip'} aria-pressed={filters.source === source} onClick={() => setFilters({ source })} title={dataset.sources.find((s) => s.name === source)?.path}>
                {source === null ? `all (${summary.photos})` : `${source} (${dataset.sources.find((s) => s.name === source)!.photos})`}
              </button>
            ))}
          </div>
        )}
        <Chips
          label="Zone"
          options={ZONE_VALUES}
          selected={filters.zones}
          onChange={(zones) => setFilters({ zones })}
          render={(z) => `${z} · ${zones.short(z)}`}
          count={(z) => summary.zones[z] ?? 0}
          title={(z) => `${summary.zones[z] ?? 0} photos in zone ${z}, ${zones.long(z)}${summary.zones.unknown ? `; ${summary.zones.unknown} photos have no zone` : ''}`}
        />
        <Chips
          label="Damage"
          options={DAMAGE_TYPE_VALUES}
          selected={filters.damageTypes}
          onChange={(damageTypes) => setFilters({ damageTypes })}
          render={damageLabel}
          count={(t) => summary.damageTypes[t]?.photos ?? 0}
          title={(t) => `${summary.damageTypes[t]?.photos ?? 0} photos with ${damageLabel(t)}`}
        />
      </div>
      {photosError && <p className="error" role="alert">{photosError}</p>}
      {photos === null ? (
        <p className="muted loading">Loading photos…</p>
      ) : photos.length === 0 ? (
        <p className="muted empty">No photo matches these filters.</p>
      ) : (
        <>
          <p className="muted count">{photos.length} photos</p>
          <VirtualGrid
            label="Photos"
            items={photos}
            cellWidth={200}
            cellHeight={196}
            renderCell={(p) => (
              <button type="button" className="photo-card" data-testid="photo-card" onClick={() => void openPhoto(p.id)} title={p.fileName}>
                <img src={api.imageUrl(p.imagePath, 256)} alt="" loading="lazy" decoding="async" />
                <span className="card-line">
                  <span className={`state ${p.state}`}>{p.state}</span>
                  {p.zone && <span className="zone" title={zones.long(p.zone)}>zone {p.zone}</span>}
                  {p.problems > 0 && <span className="warn" title="scan problems">⚠ {p.problems}</span>}
                </span>
                <span className="card-sub">{p.damageShapes ? `${p.damageShapes} damage · ${p.damageTypes.map(damageLabel).join(', ')}` : 'no damage shapes'}</span>
              </button>
            )}
          />
        </>
      )}
      {summary.datasetProblems.length > 0 && (
        <details className="problems">
          <summary>{summary.datasetProblems.length} problems in files that are no photo</summary>
          <ul>{summary.datasetProblems.map((p, i) => <li key={i}><code>{p.file}</code> {p.severity}: {p.message}</li>)}</ul>
        </details>
      )}
      {photo && <PhotoView />}
    </section>
  );
}
