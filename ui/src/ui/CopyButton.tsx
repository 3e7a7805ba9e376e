// Copy to the clipboard, with a visible confirmation. Where the clipboard is unavailable (a plain
// http origin other than localhost) the text stays selectable and the button says so.
import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { Button, IconButton } from "./Button";

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function CopyButton({ text, label = "Copy", iconOnly = true, onCopied }: {
  text: string | (() => string); label?: string; iconOnly?: boolean; onCopied?: () => void;
}) {
  const [done, setDone] = useState<"" | "ok" | "fail">("");
  async function run() {
    const ok = await copyText(typeof text === "function" ? text() : text);
    setDone(ok ? "ok" : "fail");
    onCopied?.();
    window.setTimeout(() => setDone(""), 1500);
  }
  const icon = done === "ok" ? <Check /> : <Copy />;
  if (iconOnly)
    return <IconButton label={done === "ok" ? "Copied" : done === "fail" ? "Clipboard unavailable" : label} size="sm" onClick={run}>{icon}</IconButton>;
  return <Button size="sm" icon={icon} onClick={run}>{label}</Button>;
}
