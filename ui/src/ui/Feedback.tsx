// Loading, empty and error states: every page uses these, so waiting and failing look the same
// everywhere and always say what to do next.
import { AlertCircle, Loader2 } from "lucide-react";
import type { ReactNode } from "react";

export function Skeleton({ width, height }: { width?: number | string; height?: number }) {
  return <span className="skeleton" style={{ width, height }} aria-hidden />;
}

export function SkeletonRows({ rows = 5, label = "Loading" }: { rows?: number; label?: string }) {
  return (
    <div className="stack" role="status" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => <Skeleton key={i} width={`${90 - ((i * 17) % 40)}%`} height={14} />)}
    </div>
  );
}

export function Spinner({ size = 16 }: { size?: number }) {
  return <Loader2 className="spinner" width={size} height={size} aria-hidden />;
}

export function EmptyState({ icon, title, children, actions }: {
  icon?: ReactNode; title: string; children?: ReactNode; actions?: ReactNode;
}) {
  return (
    <div className="empty-state">
      {icon && <div className="empty-icon" aria-hidden>{icon}</div>}
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {actions && <div className="empty-actions">{actions}</div>}
    </div>
  );
}

// An inline error, announced to screen readers (role=alert).
export function ErrorMessage({ children, id, className }: { children: ReactNode; id?: string; className?: string }) {
  if (!children) return null;
  return (
    <div role="alert" id={id} className={["alert", className].filter(Boolean).join(" ")}>
      <AlertCircle aria-hidden />
      <span>{children}</span>
    </div>
  );
}

export function Kbd({ children }: { children: ReactNode }) {
  return <kbd>{children}</kbd>;
}
