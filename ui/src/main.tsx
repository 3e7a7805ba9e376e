import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { setApiKey } from "./api/client";
import { App } from "./App";
import "./styles.css";

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
