/** How a plain LabelMe folder is read: the photo state, a label map and a zone table (the loader's options). */
export type StateChoice = 'auto' | 'damaged' | 'undamaged';

export interface ReadOptions {
  state: StateChoice;
  labelMap: string;
  zones: string;
}

/** The three fields of ReadOptions, shared by the open form and the add-source form; ids derive from `id`. */
export function ReadOptionsFields({ id, value, onChange }: { id: string; value: ReadOptions; onChange(next: ReadOptions): void }) {
  return (
    <>
      <span className="field">
        <label htmlFor={`${id}-state`}>Photo state</label>
        <select id={`${id}-state`} value={value.state} onChange={(e) => onChange({ ...value, state: e.target.value as StateChoice })}>
          <option value="auto">from the annotations</option>
          <option value="damaged">all damaged</option>
          <option value="undamaged">all undamaged</option>
        </select>
      </span>
      <span className="field">
        <label htmlFor={`${id}-map`}>Label map</label>
        <input id={`${id}-map`} value={value.labelMap} onChange={(e) => onChange({ ...value, labelMap: e.target.value })} placeholder="labelmap.json in the folder" spellCheck={false} />
      </span>
      <span className="field">
        <label htmlFor={`${id}-zones`}>Zone table</label>
        <input id={`${id}-zones`} value={value.zones} onChange={(e) => onChange({ ...value, zones: e.target.value })} placeholder="zones.csv in the folder" spellCheck={false} />
      </span>
    </>
  );
}

export const DEFAULT_READ_OPTIONS: ReadOptions = { state: 'auto', labelMap: '', zones: '' };

/** The filled-in fields only, so the core's defaults (the folder's labelmap.json / zones.csv) apply to the rest. */
export function readOptionsRequest(value: ReadOptions): { state?: 'damaged' | 'undamaged'; labelMap?: string; zones?: string } {
  return {
    ...(value.state !== 'auto' && { state: value.state }),
    ...(value.labelMap.trim() && { labelMap: value.labelMap.trim() }),
    ...(value.zones.trim() && { zones: value.zones.trim() }),
  };
}
