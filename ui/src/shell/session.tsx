// Who is signed in, for every page: loaded once at start, refreshed after signing in or out.
// A 401 from any API call (the session ended, was signed out elsewhere) sends the user to sign in.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { Navigate, useLocation } from "react-router-dom";
import { loadSession, type SessionInfo } from "../api/client";
import { SkeletonRows } from "../ui";

interface SessionState {
  session: SessionInfo | null;
  loading: boolean;
  set: (s: SessionInfo | null) => void;
  refresh: () => Promise<void>;
}

const Ctx = createContext<SessionState>({ session: null, loading: true, set: () => {}, refresh: async () => {} });

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, set] = useState<SessionInfo | null>(null);
  const [loading, setLoading] = useState(true);
  const refresh = useCallback(async () => {
    try {
      set(await loadSession());
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    refresh();
    const off = () => set(null);
    window.addEventListener("assay:unauthorized", off);
    return () => window.removeEventListener("assay:unauthorized", off);
  }, [refresh]);
  return <Ctx.Provider value={{ session, loading, set, refresh }}>{children}</Ctx.Provider>;
}

export function useSession(): SessionState {
  return useContext(Ctx);
}

// Pages that need a signed-in user: others are sent to sign in, and come back afterwards.
export function RequireSession({ children }: { children: ReactNode }) {
  const { session, loading } = useSession();
  const location = useLocation();
  if (loading) return <main className="page"><SkeletonRows rows={4} /></main>;
  if (!session) return <Navigate to="/login" state={{ next: location.pathname + location.search }} replace />;
  return <>{children}</>;
}
