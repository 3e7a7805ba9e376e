// Toasts (Radix): transient messages for errors and confirmations that have no place on the page.
// `toast()` can be called from anywhere (e.g. an API call's catch); the provider renders them.
import * as RT from "@radix-ui/react-toast";
import { AlertCircle, CheckCircle2, X } from "lucide-react";
import { useEffect, useState, type ReactNode } from "react";

export interface ToastMessage {
  id: number;
  kind: "error" | "success" | "info";
  title: string;
  description?: string;
}

type Listener = (t: ToastMessage) => void;
const listeners = new Set<Listener>();
let next = 1;

export function toast(kind: ToastMessage["kind"], title: string, description?: string) {
  const t = { id: next++, kind, title, description };
  listeners.forEach((l) => l(t));
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastMessage[]>([]);
  useEffect(() => {
    const add: Listener = (t) => setItems((prev) => [...prev.slice(-3), t]);
    listeners.add(add);
    return () => void listeners.delete(add);
  }, []);
  return (
    <RT.Provider swipeDirection="right" duration={6000}>
      {children}
      {items.map((t) => (
        <RT.Root key={t.id} className={`toast ${t.kind}`} type={t.kind === "error" ? "foreground" : "background"}
          onOpenChange={(open) => !open && setItems((prev) => prev.filter((x) => x.id !== t.id))}>
          {t.kind === "error" ? <AlertCircle aria-hidden /> : <CheckCircle2 aria-hidden />}
          <div>
            <RT.Title className="toast-title">{t.title}</RT.Title>
            {t.description && <RT.Description className="toast-desc">{t.description}</RT.Description>}
          </div>
          <RT.Close className="btn ghost icon sm toast-close" aria-label="Dismiss"><X aria-hidden /></RT.Close>
        </RT.Root>
      ))}
      <RT.Viewport className="toast-viewport" />
    </RT.Provider>
  );
}
