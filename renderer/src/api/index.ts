import type { CarLensApi } from '../../../electron/shared/ipc-contract';
import { createHttpApi } from './http-client';

declare global {
  interface Window {
    /** Set by Electron's preload script; absent in a plain browser. */
    carlens?: CarLensApi;
  }
}

/** Electron's preload API when present, else the same contract over the HTTP bridge. */
export const api: CarLensApi = window.carlens ?? createHttpApi();
