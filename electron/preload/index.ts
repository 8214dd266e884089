/**
 * The renderer's only door to the app: one method per contract channel over ipcRenderer.invoke, plus the
 * pipeline and menu event subscriptions. ipcRenderer itself is never handed to the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  CHANNEL_NAMES,
  IMAGE_PROTOCOL,
  MENU_EVENT,
  OPEN_REPORT_IPC,
  PIPELINE_EVENT,
  imageQuery,
  ipcChannel,
  type CarLensApi,
  type MenuAction,
  type PipelineStatus,
} from '../shared/ipc-contract';

function subscribe<T>(channel: string, listener: (value: T) => void): () => void {
  const handler = (_event: IpcRendererEvent, value: T) => listener(value);
  ipcRenderer.on(channel, handler);
  return () => ipcRenderer.removeListener(channel, handler);
}

/** Electron wraps a handler's error as "Error invoking remote method 'carlens:x': BadImageError: …": the UI shows only the message. */
const plainError = (error: unknown): never => {
  const message = error instanceof Error ? error.message : String(error);
  throw new Error(message.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, ''));
};

const methods = Object.fromEntries(
  CHANNEL_NAMES.map((channel) => [channel, (request: unknown) => ipcRenderer.invoke(ipcChannel(channel), request ?? {}).catch(plainError)]),
);

const api = {
  ...methods,
  onPipeline: (listener: (status: PipelineStatus) => void) => subscribe(PIPELINE_EVENT, listener),
  onMenu: (listener: (action: MenuAction) => void) => subscribe(MENU_EVENT, listener),
  imageUrl: (path: string, width?: number) => `${IMAGE_PROTOCOL}://local/?${imageQuery(path, width)}`,
  openValidationReport: () => ipcRenderer.invoke(OPEN_REPORT_IPC) as Promise<void>,
} as CarLensApi;

contextBridge.exposeInMainWorld('carlens', api);
