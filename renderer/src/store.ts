import { create } from 'zustand';
import type {
  DamageTypeValue,
  DatasetInfo,
  DomainInfo,
  Inspection,
  PhotoDetail,
  PhotoSummary,
  PipelineStatus,
  Request,
  SearchFilters,
  SearchResponse,
  ZoneValue,
} from '../../electron/shared/ipc-contract';
import { SearchFiltersDto } from '../../electron/shared/ipc-contract';
import { api } from './api';

export type Screen = 'dataset' | 'crops' | 'contexts' | 'search' | 'pipeline';

/** How to read a plain LabelMe folder, and where the phases write (see the contract's openDataset). */
export type OpenOptions = NonNullable<Request<'openDataset'>['options']>;

export interface PhotoFilters {
  state: 'damaged' | 'undamaged' | null;
  zones: ZoneValue[];
  damageTypes: DamageTypeValue[];
  /** A source folder's name, for a workspace of several (null: all). */
  source: string | null;
}

/**
 * The Search screen's query and answers, kept here so they survive leaving the screen; the query text and filters
 * also survive a reload (sessionStorage), which re-runs the search. `*With` name what an answer was computed for.
 */
export interface SearchState {
  file: { name: string; base64: string; preview: string } | null;
  text: string;
  /** The text last submitted (text searches run on submit). */
  submitted: string;
  filters: SearchFilters;
  wholePhoto: boolean;
  inspection: Inspection | null;
  inspectedWith: { file: SearchState['file']; filters: SearchFilters; dataset: DatasetInfo } | null;
  response: SearchResponse | null;
  searchedWith: { file: SearchState['file']; submitted: string; filters: SearchFilters; dataset: DatasetInfo } | null;
}

const SEARCH_KEY = 'carlens.search';

function savedSearch(): SearchState {
  const empty: SearchState = { file: null, text: '', submitted: '', filters: {}, wholePhoto: false, inspection: null, inspectedWith: null, response: null, searchedWith: null };
  try {
    const saved = JSON.parse(sessionStorage.getItem(SEARCH_KEY) ?? 'null') as { text?: unknown; submitted?: unknown; filters?: unknown } | null;
    if (!saved) return empty;
    const filters = SearchFiltersDto.safeParse(saved.filters);
    return {
      ...empty,
      text: typeof saved.text === 'string' ? saved.text : '',
      submitted: typeof saved.submitted === 'string' ? saved.submitted : '',
      filters: filters.success ? filters.data : {},
    };
  } catch {
    return empty;
  }
}

interface AppState {
  screen: Screen;
  dataset: DatasetInfo | null;
  opening: boolean;
  openError: string | null;
  /** Which form the open error belongs to. */
  openErrorOf: 'dataset' | 'workspace';
  filters: PhotoFilters;
  photos: PhotoSummary[] | null;
  photosError: string | null;
  photo: PhotoDetail | null;
  pipeline: PipelineStatus | null;
  /** Zone names and damage types as the service describes them (null until loaded). */
  domain: DomainInfo | null;
  search: SearchState;
  setSearch(patch: Partial<SearchState>): void;
  setScreen(screen: Screen): void;
  openDataset(path: string, options?: OpenOptions): Promise<void>;
  openWorkspace(path: string): Promise<void>;
  /** Asks the service what is open (the bridge may have opened a workspace at start). */
  loadCurrent(): Promise<void>;
  setFilters(patch: Partial<PhotoFilters>): void;
  loadPhotos(): Promise<void>;
  openPhoto(id: string | null): Promise<void>;
  setPipeline(status: PipelineStatus): void;
  loadDomain(): Promise<void>;
}

const NO_FILTERS: PhotoFilters = { state: null, zones: [], damageTypes: [], source: null };

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const useApp = create<AppState>((set, get) => {
  /** Opens a dataset or a workspace through `open`, then lists its photos. */
  const opened = async (kind: AppState['openErrorOf'], open: () => Promise<DatasetInfo>) => {
    set({ opening: true, openError: null, openErrorOf: kind });
    try {
      const dataset = await open();
      // Filters picked for the previous dataset would hide photos of this one without saying why.
      set({ dataset, photo: null, photos: null, screen: 'dataset', filters: NO_FILTERS });
      await get().loadPhotos();
    } catch (error) {
      set({ openError: errorText(error) });
    } finally {
      set({ opening: false });
    }
  };
  return {
    screen: 'dataset',
    dataset: null,
    opening: false,
    openError: null,
    openErrorOf: 'dataset',
    filters: NO_FILTERS,
    photos: null,
    photosError: null,
    photo: null,
    pipeline: null,
    domain: null,
    search: savedSearch(),
    setSearch(patch) {
      const search = { ...get().search, ...patch };
      set({ search });
      try {
        sessionStorage.setItem(SEARCH_KEY, JSON.stringify({ text: search.text, submitted: search.submitted, filters: search.filters }));
      } catch {
        // Storage full or disabled: the search still lives until the page reloads.
      }
    },
    setScreen: (screen) => set({ screen }),
    async openDataset(path, options) {
      await opened('dataset', () => api.openDataset(options && Object.keys(options).length ? { path, options } : { path }));
    },
    async openWorkspace(path) {
      await opened('workspace', () => api.openWorkspace({ path }));
    },
    async loadCurrent() {
      try {
        const dataset = await api.currentDataset({});
        if (!dataset || get().dataset) return;
        set({ dataset, photo: null, photos: null, filters: NO_FILTERS });
        await get().loadPhotos();
      } catch {
        // Nothing open, or the service is unreachable: the open forms stay.
      }
    },
    setFilters(patch) {
      set({ filters: { ...get().filters, ...patch } });
      void get().loadPhotos();
    },
    async loadPhotos() {
      const { filters } = get();
      try {
        const { photos } = await api.listPhotos({
          state: filters.state ?? undefined,
          zones: filters.zones.length ? filters.zones : undefined,
          damageTypes: filters.damageTypes.length ? filters.damageTypes : undefined,
          source: filters.source ?? undefined,
        });
        set({ photos, photosError: null });
      } catch (error) {
        set({ photosError: errorText(error), photos: [] });
      }
    },
    async openPhoto(id) {
      if (id === null) return set({ photo: null });
      set({ photosError: null });
      try {
        set({ photo: await api.getPhoto({ id }) });
      } catch (error) {
        set({ photosError: errorText(error) });
      }
    },
    setPipeline: (pipeline) => set({ pipeline }),
    async loadDomain() {
      // Without it chips show bare zone ids, which still work: no error to show.
      set({ domain: await api.domain({}).catch(() => null) });
    },
  };
});
