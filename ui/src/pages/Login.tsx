import { useState } from "react";
import { Navigate, useLocation, useNavigate } from "react-router-dom";
import { KeyRound, LogIn } from "lucide-react";
import { signIn } from "../api/client";
import { Button, ErrorMessage } from "../ui";
import { Logo } from "../shell/Logo";
import { useSession } from "../shell/session";

// Sign in with an email and password (or, for scripts' owners, an API key exchanged for a session).
export function Login() {
  const { session, set } = useSession();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [key, setKey] = useState("");
  const [withKey, setWithKey] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const location = useLocation();
  const next = (location.state as { next?: string } | null)?.next ?? "/";
  if (session) return <Navigate to={next} replace />;
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      set(await signIn(withKey ? { api_key: key.trim() } : { email: email.trim(), password }));
      navigate(next, { replace: true });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="login">
      <form onSubmit={submit} className="card login-card" aria-label="Sign in">
        <div className="login-brand"><Logo size={32} /><h1>Sign in to Assay</h1></div>
        {withKey ? (
          <label className="field" htmlFor="api-key">
            <span>API key</span>
            <input id="api-key" className="input" type="password" value={key} onChange={(e) => setKey(e.target.value)}
              placeholder="sk-assay-…" autoFocus autoComplete="off" />
          </label>
        ) : (
          <>
            <label className="field" htmlFor="email">
              <span>Email</span>
              <input id="email" className="input" type="email" value={email} onChange={(e) => setEmail(e.target.value)}
                autoFocus autoComplete="username" required />
            </label>
            <label className="field" htmlFor="password">
              <span>Password</span>
              <input id="password" className="input" type="password" value={password}
                onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
            </label>
          </>
        )}
        <Button type="submit" variant="primary" icon={withKey ? <KeyRound /> : <LogIn />}
          disabled={busy || (withKey ? !key.trim() : !email.trim() || !password)}>Sign in</Button>
        <ErrorMessage>{error}</ErrorMessage>
        <button type="button" className="link-btn" onClick={() => { setWithKey(!withKey); setError(""); }}>
          {withKey ? "Use your email and password" : "Use an API key instead"}
        </button>
        <p className="muted small">
          New here? Ask an owner for an invitation link. On a new server, <code>assay serve</code> prints the owner's first sign-in link.
        </p>
      </form>
    </main>
  );
}
