import { Menu, dialog, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import { MENU_EVENT, PHASES, type MenuAction } from '../shared/ipc-contract';

const TITLES = ['Crops', 'Contexts', 'Embeddings', 'Index', 'Validation'];

/**
 * The application menu. Its commands go to the renderer as menu actions, which calls the API as its own
 * buttons do, so menu and UI share one path (and one set of error messages). Two stay in main: the folder
 * dialog, and opening the validation report (the same function as the Pipeline screen's button).
 */
export function buildMenu(window: () => BrowserWindow | null, openValidationReport: () => Promise<void>): Menu {
  const send = (action: MenuAction) => window()?.webContents.send(MENU_EVENT, action);
  const openDataset = async () => {
    const win = window();
    if (!win) return;
    const result = await dialog.showOpenDialog(win, { title: 'Open dataset', properties: ['openDirectory'] });
    const path = result.filePaths[0];
    if (!result.canceled && path) send({ kind: 'openDataset', path });
  };
  const openReport = () =>
    openValidationReport().catch((error: unknown) =>
      dialog.showMessageBox({ type: 'info', message: 'No validation report to open', detail: (error as Error).message }),
    );
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open dataset…', accelerator: 'CmdOrCtrl+O', click: () => void openDataset() },
        { label: 'Open validation report', click: () => void openReport() },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Pipeline',
      submenu: [
        ...PHASES.map((phase, i): MenuItemConstructorOptions => ({
          label: `Run phase ${i + 1}: ${TITLES[i]}`,
          accelerator: `CmdOrCtrl+${i + 1}`,
          click: () => send({ kind: 'runPhase', phase }),
        })),
        { type: 'separator' },
        { label: 'Run all', accelerator: 'CmdOrCtrl+Shift+R', click: () => send({ kind: 'runPhase', phase: 'all' }) },
        { label: 'Cancel', accelerator: 'CmdOrCtrl+.', click: () => send({ kind: 'cancel' }) },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Dataset', click: () => send({ kind: 'showScreen', screen: 'dataset' }) },
        { label: 'Crop review', click: () => send({ kind: 'showScreen', screen: 'crops' }) },
        { label: 'Contexts', click: () => send({ kind: 'showScreen', screen: 'contexts' }) },
        { label: 'Search', click: () => send({ kind: 'showScreen', screen: 'search' }) },
        { label: 'Pipeline', click: () => send({ kind: 'showScreen', screen: 'pipeline' }) },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
