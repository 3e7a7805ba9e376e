// One colour per compared experiment, in display order (the base first): the same in cells, headers,
// histograms and the grid. The colours are design tokens (--exp-0 … --exp-7, both themes).
export const MAX_EXPERIMENTS = 8;

export function expColor(index: number): string {
  return `var(--exp-${index % MAX_EXPERIMENTS})`;
}
