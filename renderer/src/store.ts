import { create } from 'zustand';
import type {
  DamageTypeValue,
  DatasetInfo,
  PhotoDetail,
  PhotoSummary,
  PipelineStatus,
  Request,
  ZoneValue,
} from '../../electron/shared/ipc-contract';
import { api } from './api';

export type Screen = 'dataset' | 'crops' | 'contexts' | 'search' | 'pipeline';

/** How to read a plain LabelMe folder, and where the phases write (see the contract's openDataset). */
export type OpenOptions = NonNullable<Request<'openDataset'>['options']>;

export interface PhotoFilters {
  state: 'damaged' | 'undamaged' | null;
  zones: ZoneValue[];
  damageTypes: DamageTypeValue[];
}

interface AppState {
  screen: Screen;
  dataset: DatasetInfo | null;
  opening: boolean;
  openError: string | null;
  filters: PhotoFilters;
  photos: PhotoSummary[] | null;
  photosError: string | null;
  photo: PhotoDetail | null;
  pipeline: PipelineStatus | null;
  setScreen(screen: Screen): void;
  openDataset(path: string, options?: OpenOptions): Promise<void>;
  setFilters(patch: Partial<PhotoFilters>): void;
  loadPhotos(): Promise<void>;
  openPhoto(id: string | null): Promise<void>;
  setPipeline(status: PipelineStatus): void;
}

const NO_FILTERS: PhotoFilters = { state: null, zones: [], damageTypes: [] };

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const useApp = create<AppState>((set, get) => ({
  screen: 'dataset',
  dataset: null,
  opening: false,
  openError: null,
  filters: NO_FILTERS,
  photos: null,
  photosError: null,
  photo: null,
  pipeline: null,
  setScreen: (screen) => set({ screen }),
  async openDataset(path, options) {
    set({ opening: true, openError: null });
    try {
      const dataset = await api.openDataset(options && Object.keys(options).length ? { path, options } : { path });
      // Filters picked for the previous dataset would hide photos of this one without saying why.
      set({ dataset, photo: null, photos: null, screen: 'dataset', filters: NO_FILTERS });
      await get().loadPhotos();
    } catch (error) {
      set({ openError: errorText(error) });
    } finally {
      set({ opening: false });
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
      });
      set({ photos, photosError: null });
    } catch (error) {
      set({ photosError: errorText(error), photos: [] });
    }
  },
  async openPhoto(id) {
    if (id === null) return set({ photo: null });
    try {
      set({ photo: await api.getPhoto({ id }) });
    } catch (error) {
      set({ photosError: errorText(error) });
    }
  },
  setPipeline: (pipeline) => set({ pipeline }),
}));
