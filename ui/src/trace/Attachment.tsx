// Attachments logged by the SDK: `{"type": "braintrust_attachment", "key", "filename", "content_type"}`.
// The bytes live in Assay's attachment store. `GET /attachment?key=` (with the API key) answers a
// short-lived signed `downloadUrl`, so an <img> or a link can load the file without the key in any
// URL (docs/clients.md#attachments). Raster images show inline; other files get a download link.
import { useEffect, useState } from "react";
import { Download, FileText, Image as ImageIcon, Paperclip } from "lucide-react";
import { api, type Schemas } from "../api/client";

export interface AttachmentRef {
  type: "braintrust_attachment" | "external_attachment";
  key?: string;
  url?: string;
  filename?: string;
  content_type?: string;
}

// What the server serves inline; everything else (SVG included) downloads.
const INLINE = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp", "image/x-icon"]);

export function isAttachment(v: unknown): v is AttachmentRef {
  if (typeof v !== "object" || v === null) return false;
  const t = (v as Record<string, unknown>).type;
  return (t === "braintrust_attachment" || t === "external_attachment") && typeof (v as AttachmentRef).filename === "string";
}

type Link = { state: "loading" } | { state: "ready"; url: string; done: boolean } | { state: "error"; message: string };

function useDownloadUrl(value: AttachmentRef): Link {
  const [link, setLink] = useState<Link>({ state: "loading" });
  useEffect(() => {
    if (value.type === "external_attachment") {
      const ok = !!value.url && /^https?:\/\//.test(value.url);
      setLink(ok ? { state: "ready", url: value.url!, done: true } : { state: "error", message: "no http(s) URL" });
      return;
    }
    if (!value.key) {
      setLink({ state: "error", message: "no key" });
      return;
    }
    let live = true;
    api<Schemas["AttachmentMetadata"]>(`/attachment?key=${encodeURIComponent(value.key)}`)
      .then((meta) => live && setLink({ state: "ready", url: meta.downloadUrl, done: meta.status.upload_status === "done" }))
      .catch((e: Error) => live && setLink({ state: "error", message: e.message }));
    return () => {
      live = false;
    };
  }, [value.type, value.key, value.url]);
  return link;
}

export function Attachment({ value }: { value: AttachmentRef }) {
  const kind = (value.content_type ?? "").split(";")[0].trim().toLowerCase();
  const image = kind.startsWith("image/");
  const Icon = image ? ImageIcon : kind.startsWith("text/") ? FileText : Paperclip;
  const link = useDownloadUrl(value);
  const ready = link.state === "ready" && link.done;
  return (
    <span className="attachment-block">
      <span className="attachment" data-attachment-key={value.key ?? ""}>
        <Icon aria-hidden />
        <span className="attachment-name">{value.filename}</span>
        <span className="subtle">{value.content_type}</span>
        {ready && (
          <a className="attachment-download" href={link.url} download={value.filename} aria-label={`Download ${value.filename}`}>
            <Download aria-hidden />
          </a>
        )}
        {link.state === "loading" && <span className="subtle">loading…</span>}
        {link.state === "error" && <span className="subtle" role="status">unavailable: {link.message}</span>}
        {link.state === "ready" && !link.done && <span className="subtle" role="status">not uploaded</span>}
      </span>
      {ready && INLINE.has(kind) && (
        <img className="attachment-image" src={link.url} alt={value.filename ?? "attachment"} loading="lazy" />
      )}
    </span>
  );
}
