// The Assay mark: a balance beam over a bar chart, drawn in the accent colour.
export function Logo({ size = 22 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden className="logo">
      <rect x="1" y="1" width="22" height="22" rx="6" fill="var(--accent)" />
      <rect x="6" y="12" width="3" height="6" rx="1" fill="var(--accent-fg)" />
      <rect x="10.5" y="8" width="3" height="10" rx="1" fill="var(--accent-fg)" />
      <rect x="15" y="5" width="3" height="13" rx="1" fill="var(--accent-fg)" opacity="0.75" />
    </svg>
  );
}
