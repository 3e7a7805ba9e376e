// Dialogs: the native <dialog> element opened with showModal(). It traps focus, closes on Escape and
// needs no injected <style> (the scroll lock of script-made modals would break the page's CSP).
import { X } from "lucide-react";
import { useEffect, useRef, type ReactNode } from "react";
import { IconButton } from "./Button";

export function Dialog({ open, onClose, title, children, actions, narrow }: {
  open: boolean; onClose: () => void; title: string; children: ReactNode; actions?: ReactNode; narrow?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className={`dialog ${narrow ? "narrow" : ""}`} aria-label={title}
      onClose={onClose} onCancel={(e) => { e.preventDefault(); onClose(); }}
      onClick={(e) => { if (e.target === ref.current) onClose(); }}>
      {open && (
        <>
          <header>
            <h2>{title}</h2>
            {actions}
            <IconButton label="Close" onClick={onClose}><X /></IconButton>
          </header>
          <div className="dialog-body">{children}</div>
        </>
      )}
    </dialog>
  );
}
