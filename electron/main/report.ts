import { shell } from 'electron';
import type { AppService } from '../services/app-service';

/**
 * Opens phase 5's report.html in the system's HTML viewer (the app window opens no windows of its own). The path
 * is the service's, checked to lie in the open workspace, never one the renderer sent.
 */
export async function openValidationReport(service: AppService): Promise<void> {
  const report = await service.validationReportFile();
  const failure = await shell.openPath(report);
  if (failure) throw new Error(`could not open ${report}: ${failure}`);
}
