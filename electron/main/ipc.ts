import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { CHANNEL_NAMES, OPEN_REPORT_IPC, PIPELINE_EVENT, ipcChannel } from '../shared/ipc-contract';
import type { AppService } from '../services/app-service';
import { checkRequest, publicMessage } from '../services/path-guard';
import { openValidationReport } from './report';

/**
 * One handler per contract channel. A call is answered only when it comes from the app window's own top frame
 * loaded from the app's renderer URL; the arguments are validated by the contract inside AppService.call.
 */
export function registerIpc(service: AppService, window: () => BrowserWindow | null, rendererUrl: string): () => void {
  const trusted = (event: IpcMainInvokeEvent): boolean => {
    const win = window();
    const frame = event.senderFrame;
    return win !== null && event.sender === win.webContents && frame !== null && frame === event.sender.mainFrame && frame.url === rendererUrl;
  };
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(ipcChannel(channel), async (event, request: unknown) => {
      if (!trusted(event)) throw new Error(`${channel}: refused, the call does not come from the CarLens window`);
      try {
        await checkRequest(channel, request);
        return await service.call(channel, request);
      } catch (error) {
        throw publicError(error);
      }
    });
  }
  ipcMain.handle(OPEN_REPORT_IPC, (event) => {
    if (!trusted(event)) throw new Error('openValidationReport: refused, the call does not come from the CarLens window');
    return openValidationReport(service);
  });
  const unsubscribe = service.onPipeline((status) => window()?.webContents.send(PIPELINE_EVENT, status));
  return () => {
    unsubscribe();
    ipcMain.removeHandler(OPEN_REPORT_IPC);
    for (const channel of CHANNEL_NAMES) ipcMain.removeHandler(ipcChannel(channel));
  };
}

/** The error as the renderer may see it (same kind, never any file contents: see publicMessage). */
function publicError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(publicMessage(String(error)));
  const message = publicMessage(error.message);
  if (message === error.message) return error;
  const copy = new Error(message);
  copy.name = error.name;
  return copy;
}
