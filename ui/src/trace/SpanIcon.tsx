// The icon and colour of a span type (tree rows, timeline legend, detail header).
import { Bot, Box, CircleDot, FlaskConical, FunctionSquare, Gauge, ListTree, Wrench } from "lucide-react";

const ICONS: Record<string, typeof Bot> = {
  eval: FlaskConical, task: ListTree, llm: Bot, function: FunctionSquare, tool: Wrench, score: Gauge, facet: CircleDot,
};
export const SPAN_TYPES = ["eval", "task", "llm", "function", "tool", "score"] as const;

export function typeColor(type: string | null | undefined): string {
  return `var(--type-${type && (SPAN_TYPES as readonly string[]).includes(type) ? type : "other"})`;
}

export function SpanIcon({ type, size = 14 }: { type: string | null | undefined; size?: number }) {
  const Icon = (type && ICONS[type]) || Box;
  return (
    <span className="span-icon" style={{ color: typeColor(type) }} title={type ?? "span"}>
      <Icon width={size} height={size} aria-hidden />
    </span>
  );
}
