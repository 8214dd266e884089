import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog: focus moves into it when it opens and Tab / Shift+Tab cycle inside it (the page behind cannot
 * be reached from the keyboard while it is open), Escape closes it, and on closing focus goes back to the element
 * that opened it, so a keyboard user carries on where they were.
 */
export function Dialog(props: {
  label: string;
  onClose(): void;
  /** Keys the dialog handles besides Tab and Escape (e.g. arrows that step through photos). */
  onKey?(event: KeyboardEvent<HTMLDivElement>): void;
  className?: string;
  children: ReactNode;
}) {
  const { label, onClose, onKey, className, children } = props;
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    // The opener is whatever had focus before the dialog took it.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    root.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const trapTab = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(root.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])].filter((el) => el.getClientRects().length > 0);
    if (items.length === 0) {
      event.preventDefault();
      return;
    }
    const first = items[0]!;
    const last = items.at(-1)!;
    const active = document.activeElement;
    const outside = !root.current?.contains(active) || active === root.current;
    if (event.shiftKey && (active === first || outside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || outside)) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <div
      className={className ? `modal ${className}` : 'modal'}
      role="dialog"
      aria-modal="true"
      aria-label={label}
      tabIndex={-1}
      ref={root}
      onKeyDown={(event) => {
        if (event.key === 'Tab') return trapTab(event);
        if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          return onClose();
        }
        onKey?.(event);
      }}
    >
      {children}
    </div>
  );
}
