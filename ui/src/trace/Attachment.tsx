// Attachments logged by the SDK: `{"type": "braintrust_attachment", "key", "filename", "content_type"}`.
// The file itself is kept by the attachment store; this shows what it is and its key.
import { FileText, Image as ImageIcon, Paperclip } from "lucide-react";

export interface AttachmentRef {
  type: "braintrust_attachment" | "external_attachment";
  key?: string;
  url?: string;
  filename?: string;
  content_type?: string;
}

export function isAttachment(v: unknown): v is AttachmentRef {
  if (typeof v !== "object" || v === null) return false;
  const t = (v as Record<string, unknown>).type;
  return (t === "braintrust_attachment" || t === "external_attachment") && typeof (v as AttachmentRef).filename === "string";
}

export function Attachment({ value }: { value: AttachmentRef }) {
  const image = value.content_type?.startsWith("image/");
  const Icon = image ? ImageIcon : value.content_type?.startsWith("text/") ? FileText : Paperclip;
  return (
    <span className="attachment" data-attachment-key={value.key ?? ""}>
      <Icon aria-hidden />
      <span className="attachment-name">{value.filename}</span>
      <span className="subtle">{value.content_type}</span>
      {value.key && <code className="subtle" title="Attachment key">{value.key}</code>}
    </span>
  );
}
