// The component kit: every page builds from these (Radix primitives for behaviour and accessibility,
// styled by src/styles/*.css from the design tokens). See docs/ui.md.
export { Button, IconButton, type ButtonProps } from "./Button";
export { Tooltip, TooltipProvider } from "./Tooltip";
export { Menu, MenuItem, MenuLabel, MenuSeparator } from "./Menu";
export { Popover } from "./Popover";
export { EmptyState, ErrorMessage, Kbd, Skeleton, SkeletonRows, Spinner } from "./Feedback";
export { ToastProvider, toast } from "./Toast";
export { Segmented } from "./Segmented";
export { Dialog } from "./Dialog";
export { CopyButton, copyText } from "./CopyButton";
export { SearchInput } from "./Search";
export { applyTheme, useTheme, type ThemeChoice } from "./theme";
export { useHotkeys, isTyping } from "./hotkeys";
