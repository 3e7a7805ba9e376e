import { useEffect, useState } from "react";
import { Navigate, Route, Routes, useLocation, useNavigate } from "react-router-dom";
import { KeyRound } from "lucide-react";
import { api, apiKey, setApiKey } from "./api/client";
import { Home } from "./pages/Home";
import { ProjectPage } from "./pages/ProjectPage";
import { ExperimentPage } from "./pages/ExperimentPage";
import { ObjectRedirect } from "./pages/ObjectRedirect";
import { TracePage } from "./pages/TracePage";
import { ProjectSettingsPage } from "./pages/ProjectSettingsPage";
import { Button, EmptyState, ErrorMessage, ToastProvider, TooltipProvider } from "./ui";
import { CrumbsProvider } from "./shell/crumbs";
import { TopBar } from "./shell/TopBar";
import { Logo } from "./shell/Logo";
import { Link } from "react-router-dom";

function Login() {
  const [key, setKey] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const location = useLocation();
  const next = (location.state as { next?: string } | null)?.next ?? "/";
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setApiKey(key.trim());
    setBusy(true);
    try {
      await api("/v1/organization");
      navigate(next, { replace: true });
    } catch (err) {
      setApiKey(null);
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="login">
      <form onSubmit={submit} className="card login-card">
        <div className="login-brand"><Logo size={32} /><h1>Sign in to Assay</h1></div>
        <p className="muted">Paste an API key. <code>assay demo</code> and <code>assay keys create</code> print one.</p>
        <label className="field" htmlFor="api-key">
          <span>API key</span>
          <input id="api-key" className="input" type="password" value={key} onChange={(e) => setKey(e.target.value)}
            placeholder="sk-assay-…" autoFocus autoComplete="current-password" />
        </label>
        <Button type="submit" variant="primary" icon={<KeyRound />} disabled={busy || !key.trim()}>Sign in</Button>
        <ErrorMessage>{error}</ErrorMessage>
      </form>
    </main>
  );
}

function RequireKey({ children }: { children: React.ReactNode }) {
  const location = useLocation();
  const [authed, setAuthed] = useState(!!apiKey());
  useEffect(() => {
    const off = () => {
      setApiKey(null);
      setAuthed(false);
    };
    window.addEventListener("assay:unauthorized", off);
    return () => window.removeEventListener("assay:unauthorized", off);
  }, []);
  if (!authed) return <Navigate to="/login" state={{ next: location.pathname + location.search }} replace />;
  return <>{children}</>;
}

function NotFound() {
  return (
    <main className="page">
      <EmptyState title="Page not found" actions={<Link className="btn" to="/">Go to projects</Link>}>
        The address does not match any page of Assay.
      </EmptyState>
    </main>
  );
}

const guarded = (el: React.ReactNode) => <RequireKey>{el}</RequireKey>;

export function App() {
  return (
    <TooltipProvider>
      <ToastProvider>
        <CrumbsProvider>
          <div className="app">
            <TopBar />
            <Routes>
              <Route path="/login" element={<Login />} />
              <Route path="/object" element={guarded(<ObjectRedirect />)} />
              <Route path="/" element={guarded(<Home />)} />
              <Route path="/:org" element={guarded(<Home />)} />
              <Route path="/:org/p/:project" element={guarded(<ProjectPage />)} />
              <Route path="/:org/p/:project/experiments" element={guarded(<ProjectPage />)} />
              <Route path="/:org/p/:project/settings" element={guarded(<ProjectSettingsPage />)} />
              <Route path="/:org/p/:project/experiments/:experiment" element={guarded(<ExperimentPage />)} />
              <Route path="/:org/p/:project/experiments/:experiment/trace/:trace" element={guarded(<TracePage />)} />
              <Route path="*" element={<NotFound />} />
            </Routes>
          </div>
        </CrumbsProvider>
      </ToastProvider>
    </TooltipProvider>
  );
}
