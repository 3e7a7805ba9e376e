import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import "@fontsource-variable/inter";
import "@fontsource-variable/jetbrains-mono";
import { apiKey, setApiKey } from "./api/client";
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

// `?api_key=` is accepted once (e.g. from the link `assay demo` prints), then removed from the URL.
// It never silently replaces another key saved in this browser: a link from someone else would
// otherwise sign this browser into their organization.
const url = new URL(window.location.href);
const given = url.searchParams.get("api_key");
if (given) {
  const saved = apiKey();
  const replace =
    !saved ||
    saved === given ||
    window.confirm(
      "This link carries an API key. Replace the key saved in this browser with it?\n\n" +
        "Cancel keeps the saved key.",
    );
  if (replace) setApiKey(given);
  url.searchParams.delete("api_key");
  window.history.replaceState(null, "", url.toString());
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <BrowserRouter basename="/app">
      <App />
    </BrowserRouter>
  </StrictMode>,
);
