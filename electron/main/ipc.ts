import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { CHANNEL_NAMES, PIPELINE_EVENT, ipcChannel } from '../shared/ipc-contract';
import type { AppService } from '../services/app-service';

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
    ipcMain.handle(ipcChannel(channel), (event, request: unknown) => {
      if (!trusted(event)) throw new Error(`${channel}: refused, the call does not come from the CarLens window`);
      return service.call(channel, request);
    });
  }
  const unsubscribe = service.onPipeline((status) => window()?.webContents.send(PIPELINE_EVENT, status));
  return () => {
    unsubscribe();
    for (const channel of CHANNEL_NAMES) ipcMain.removeHandler(ipcChannel(channel));
  };
}
