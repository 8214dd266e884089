import type { Page } from 'playwright-core';

/** Drops a file on the window the way a file manager does (a DataTransfer with one File). */
export const dropFile = (page: Page, name: string, bytes: Buffer, type = 'image/jpeg') =>
  page.evaluate(
    ({ name, b64, type }) => {
      const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([raw], name, { type }));
      window.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    { name, b64: bytes.toString('base64'), type },
  );

/** The crop ids of the shown search results, best first. */
export const shownResultIds = (page: Page) =>
  page.getByRole('list', { name: 'Search results' }).getByTestId('result').evaluateAll((items) => items.map((i) => i.getAttribute('data-crop-id')));

/** Whether keyboard focus is inside the open dialog. */
export const focusInDialog = (page: Page) => page.evaluate(() => document.activeElement?.closest('[role="dialog"]') !== null && document.activeElement !== null);
