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
    if (open && !d.open) {
      d.showModal();
      // Focus the content, not the Close button: its tooltip would take the first Escape.
      d.querySelector<HTMLElement>(".dialog-body")?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className={`dialog ${narrow ? "narrow" : ""}`} aria-label={title}
      onClose={onClose} onCancel={(e) => { e.preventDefault(); onClose(); }}
      onClick={(e) => {
        // A click on the backdrop lands on the <dialog> element outside its box. (Checking only the
        // target would also close it when a click's press and release land on different children.)
        const r = ref.current?.getBoundingClientRect();
        if (r && e.target === ref.current && (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom)) onClose();
      }}>
      {open && (
        <>
          <header>
            <h2>{title}</h2>
            {actions}
            <IconButton label="Close" onClick={onClose}><X /></IconButton>
          </header>
          <div className="dialog-body" tabIndex={-1}>{children}</div>
        </>
      )}
    </dialog>
  );
}
