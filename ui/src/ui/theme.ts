// Light and dark themes: "system" (the default) follows the operating system's setting and keeps
// following it; an explicit choice is remembered in localStorage.
import { useEffect, useState } from "react";

export type ThemeChoice = "system" | "light" | "dark";
const KEY = "assay.theme";
const media = () => window.matchMedia("(prefers-color-scheme: dark)");

export function themeChoice(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === "light" || v === "dark" ? v : "system";
}

export function applyTheme(choice: ThemeChoice = themeChoice()) {
  const dark = choice === "dark" || (choice === "system" && media().matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

export function useTheme(): [ThemeChoice, (c: ThemeChoice) => void, "light" | "dark"] {
  const [choice, setChoice] = useState<ThemeChoice>(themeChoice);
  const [resolved, setResolved] = useState<"light" | "dark">(() => (document.documentElement.dataset.theme as "dark") ?? "light");
  useEffect(() => {
    applyTheme(choice);
    setResolved(document.documentElement.dataset.theme as "light" | "dark");
    if (choice !== "system") return;
    const m = media();
    const on = () => {
      applyTheme("system");
      setResolved(document.documentElement.dataset.theme as "light" | "dark");
    };
    m.addEventListener("change", on);
    return () => m.removeEventListener("change", on);
  }, [choice]);
  const set = (c: ThemeChoice) => {
    if (c === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, c);
    setChoice(c);
  };
  return [choice, set, resolved];
}
