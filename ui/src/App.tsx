import { useEffect, useState } from "react";
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from "react-router-dom";
import { api, apiKey, setApiKey } from "./api/client";
import { Home } from "./pages/Home";
import { ProjectPage } from "./pages/ProjectPage";
import { ExperimentPage } from "./pages/ExperimentPage";
import { ObjectRedirect } from "./pages/ObjectRedirect";

function Login() {
  const [key, setKey] = useState("");
  const [error, setError] = useState("");
  const navigate = useNavigate();
  const location = useLocation();
  const next = (location.state as { next?: string } | null)?.next ?? "/";
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setApiKey(key.trim());
    try {
      await api("/v1/organization");
      navigate(next, { replace: true });
    } catch (err) {
      setApiKey(null);
      setError((err as Error).message);
    }
  }
  return (
    <main className="login">
      <h1>Assay</h1>
      <form onSubmit={submit}>
        <label htmlFor="api-key">API key</label>
        <input id="api-key" type="password" value={key} onChange={(e) => setKey(e.target.value)}
          placeholder="sk-assay-…" autoFocus />
        <button type="submit">Sign in</button>
        {error && <p role="alert" className="error">{error}</p>}
        <p className="hint">`assay demo` and `assay keys create` print a key.</p>
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

export function App() {
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/" className="brand">Assay</Link>
        <span className="spacer" />
        {apiKey() && (
          <button className="link" onClick={() => { setApiKey(null); window.location.href = "/app/login"; }}>
            Sign out
          </button>
        )}
      </header>
      <Routes>
        <Route path="/login" element={<Login />} />
        <Route path="/object" element={<RequireKey><ObjectRedirect /></RequireKey>} />
        <Route path="/" element={<RequireKey><Home /></RequireKey>} />
        <Route path="/:org" element={<RequireKey><Home /></RequireKey>} />
        <Route path="/:org/p/:project" element={<RequireKey><ProjectPage /></RequireKey>} />
        <Route path="/:org/p/:project/experiments" element={<RequireKey><ProjectPage /></RequireKey>} />
        <Route path="/:org/p/:project/experiments/:experiment"
          element={<RequireKey><ExperimentPage /></RequireKey>} />
        <Route path="*" element={<main className="page"><h1>Not found</h1><Link to="/">Home</Link></main>} />
      </Routes>
    </div>
  );
}
