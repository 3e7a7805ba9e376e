// Dropdown menus (Radix). `modal={false}`: a modal menu locks page scroll by injecting a <style>
// element, which the server's Content-Security-Policy forbids; a non-modal menu needs none.
import * as DM from "@radix-ui/react-dropdown-menu";
import { Check } from "lucide-react";
import type { ReactNode } from "react";

export function Menu({ trigger, children, align = "start", onOpenChange }: {
  trigger: ReactNode; children: ReactNode; align?: "start" | "end" | "center"; onOpenChange?: (open: boolean) => void;
}) {
  return (
    <DM.Root modal={false} onOpenChange={onOpenChange}>
      <DM.Trigger asChild>{trigger}</DM.Trigger>
      <DM.Portal>
        <DM.Content className="menu" align={align} sideOffset={4} collisionPadding={8}>
          {children}
        </DM.Content>
      </DM.Portal>
    </DM.Root>
  );
}

export function MenuItem({ children, icon, onSelect, title, hint, checked, disabled }: {
  children: ReactNode; icon?: ReactNode; onSelect: () => void; title?: string; hint?: ReactNode; checked?: boolean; disabled?: boolean;
}) {
  return (
    <DM.Item className="menu-item" onSelect={onSelect} title={title} disabled={disabled} data-state={checked ? "checked" : undefined}>
      {icon}
      <span>{children}</span>
      {checked && <Check aria-hidden className="hint" />}
      {hint && !checked && <span className="hint">{hint}</span>}
    </DM.Item>
  );
}

export function MenuLabel({ children }: { children: ReactNode }) {
  return <DM.Label className="menu-label">{children}</DM.Label>;
}

export function MenuSeparator() {
  return <DM.Separator className="menu-sep" />;
}
