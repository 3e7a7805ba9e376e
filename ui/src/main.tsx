import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import "@fontsource-variable/inter";
import "@fontsource-variable/jetbrains-mono";
import { loadSession, signIn, signOut } from "./api/client";
import { App } from "./App";
import { applyTheme } from "./ui";
import "./styles/tokens.css";
import "./styles/base.css";
import "./styles/components.css";
import "./styles/shell.css";
import "./styles/table.css";
import "./styles/trace.css";
import "./styles/assistant.css";
import "./styles/scoring.css";
import "./styles/compare.css";

// The theme is set before the first render, so the page never flashes the other one.
applyTheme();

// `?api_key=` is exchanged once for a session (the key is never stored in the page), then removed
// from the URL. It never silently replaces who is signed in: a link from someone else would
// otherwise sign this browser into their account. The same account's key asks nothing.
async function acceptKeyLink(key: string): Promise<void> {
  const current = await loadSession().catch(() => null);
  if (current) {
    const theirs = await fetch("/api/session", { headers: { Authorization: `Bearer ${key}` } })
      .then((r) => (r.ok ? r.json() : null))
      .catch(() => null);
    if (theirs && theirs.user.id === current.user.id && theirs.org.id === current.org.id) return;
    const replace = window.confirm(
      "This link carries an API key. Replace your current sign-in in this browser with it?\n\n" +
        `Cancel keeps you signed in as ${current.user.email}.`,
    );
    if (!replace) return;
    await signOut().catch(() => undefined);
  }
  await signIn({ api_key: key }).catch(() => undefined);
}

const url = new URL(window.location.href);
const given = url.searchParams.get("api_key");
url.searchParams.delete("api_key");
if (given) window.history.replaceState(null, "", url.toString());
const ready = given ? acceptKeyLink(given) : Promise.resolve();

ready.then(() => createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <BrowserRouter basename="/app">
      <App />
    </BrowserRouter>
  </StrictMode>,
));
