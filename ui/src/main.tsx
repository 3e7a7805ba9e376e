import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import "@fontsource-variable/inter";
import "@fontsource-variable/jetbrains-mono";
import { setApiKey } from "./api/client";
import { App } from "./App";
import { applyTheme } from "./ui";
import "./styles/tokens.css";
import "./styles/base.css";
import "./styles/components.css";
import "./styles/shell.css";
import "./styles/table.css";
import "./styles/trace.css";

// The theme is set before the first render, so the page never flashes the other one.
applyTheme();

// `?api_key=` is accepted once (e.g. from the link `assay demo` prints), then removed from the URL.
const url = new URL(window.location.href);
const given = url.searchParams.get("api_key");
if (given) {
  setApiKey(given);
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
