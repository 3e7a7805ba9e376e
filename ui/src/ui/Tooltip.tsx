// Tooltips (Radix): on hover and keyboard focus, with an optional keyboard shortcut hint.
import * as RT from "@radix-ui/react-tooltip";
import type { ReactNode } from "react";

export function TooltipProvider({ children }: { children: ReactNode }) {
  return <RT.Provider delayDuration={350} skipDelayDuration={200}>{children}</RT.Provider>;
}

export function Tooltip({ content, shortcut, children, side = "bottom" }: {
  content: ReactNode; shortcut?: string; children: ReactNode; side?: "top" | "bottom" | "left" | "right";
}) {
  return (
    <RT.Root>
      <RT.Trigger asChild>{children}</RT.Trigger>
      <RT.Portal>
        <RT.Content className="tooltip" side={side} sideOffset={6} collisionPadding={8}>
          {content}
          {shortcut && <kbd>{shortcut}</kbd>}
        </RT.Content>
      </RT.Portal>
    </RT.Root>
  );
}
