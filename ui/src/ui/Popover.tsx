// Popovers (Radix, non-modal: no scroll lock, see Menu.tsx): panels opened from a toolbar button.
import * as RP from "@radix-ui/react-popover";
import type { ReactNode } from "react";

export function Popover({ trigger, children, className, align = "start", open, onOpenChange, label }: {
  trigger: ReactNode; children: ReactNode; className?: string; align?: "start" | "end" | "center";
  open?: boolean; onOpenChange?: (open: boolean) => void; label?: string;
}) {
  return (
    <RP.Root open={open} onOpenChange={onOpenChange}>
      <RP.Trigger asChild>{trigger}</RP.Trigger>
      <RP.Portal>
        <RP.Content className={["popover", className].filter(Boolean).join(" ")} align={align} sideOffset={6}
          collisionPadding={8} aria-label={label}>
          {children}
        </RP.Content>
      </RP.Portal>
    </RP.Root>
  );
}
