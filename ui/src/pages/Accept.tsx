import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { Check, LogIn } from "lucide-react";
import { api, setCsrf, type SessionInfo } from "../api/client";
import { Button, ErrorMessage, SkeletonRows } from "../ui";
import { Logo } from "../shell/Logo";
import { useSession } from "../shell/session";

interface LinkInfo {
  purpose: "setup" | "invite" | "signin";
  email: string;
  name: string;
  org_name: string;
  email_editable: boolean;
  needs_password: boolean;
}

// `/app/accept#token=…`: a one-time link. The first owner chooses an email and password, an invited
// member a name and password; a sign-in link signs in. The token stays in the fragment, so it never
// reaches a server log.
export function Accept() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "";
  const { set } = useSession();
  const navigate = useNavigate();
  const [info, setInfo] = useState<LinkInfo | null>(null);
  const [error, setError] = useState("");
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<LinkInfo>("/api/link/inspect", { method: "POST", json: { token } })
      .then((i) => { setInfo(i); setEmail(i.email); setName(i.name); })
      .catch((e) => setError(e.message));
  }, [token]);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const body = { token, email: info?.email_editable ? email.trim() : null, name: name.trim() || null, password: info?.needs_password ? password : null };
      const s = await api<SessionInfo>("/api/link/accept", { method: "POST", json: body });
      setCsrf(s.csrf_token);
      set(s);
      window.history.replaceState(null, "", window.location.pathname);
      navigate("/", { replace: true });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  const title = info?.purpose === "setup" ? "Set up your owner account" : info?.purpose === "invite" ? `Join ${info.org_name}` : "Sign in";
  return (
    <main className="login">
      <form onSubmit={submit} className="card login-card" aria-label={title}>
        <div className="login-brand"><Logo size={32} /><h1>{info ? title : "Sign-in link"}</h1></div>
        {!info && !error && <SkeletonRows rows={3} label="Checking the link" />}
        {info && (
          <>
            <p className="muted">
              {info.purpose === "setup" && <>You are the first owner of <b>{info.org_name}</b>. Choose the email and password you will sign in with.</>}
              {info.purpose === "invite" && <>You were invited to <b>{info.org_name}</b> as <b>{info.email}</b>. Choose a password to finish.</>}
              {info.purpose === "signin" && <>Sign in to <b>{info.org_name}</b> as <b>{info.email}</b>. This link works once.</>}
            </p>
            {info.email_editable && (
              <label className="field" htmlFor="email">
                <span>Email</span>
                <input id="email" className="input" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" required autoFocus />
              </label>
            )}
            {info.needs_password && (
              <>
                <label className="field" htmlFor="name">
                  <span>Your name</span>
                  <input id="name" className="input" value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" />
                </label>
                <label className="field" htmlFor="new-password">
                  <span>Password (8 characters or more)</span>
                  <input id="new-password" className="input" type="password" value={password} minLength={8}
                    onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" required />
                </label>
              </>
            )}
            <Button type="submit" variant="primary" icon={info.needs_password ? <Check /> : <LogIn />} disabled={busy}>
              {info.needs_password ? "Save and sign in" : "Sign in"}
            </Button>
          </>
        )}
        <ErrorMessage>{error}</ErrorMessage>
        {error && !info && <Link to="/login">Go to the sign-in page</Link>}
      </form>
    </main>
  );
}
