// Logged text rendered as Markdown, safely: react-markdown builds React elements from the Markdown
// syntax tree and never passes raw HTML through (there is no rehype-raw here), and its URL filter
// drops javascript: links. Images from logged data are not fetched; they show as links.
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

const COMPONENTS: Components = {
  a: ({ href, children }) => <a href={href} target="_blank" rel="noopener noreferrer nofollow">{children}</a>,
  img: ({ src, alt }) => <a href={typeof src === "string" ? src : undefined} target="_blank" rel="noopener noreferrer nofollow">{alt || "image"}</a>,
};

export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm]} skipHtml components={COMPONENTS}>{text}</ReactMarkdown>
    </div>
  );
}
