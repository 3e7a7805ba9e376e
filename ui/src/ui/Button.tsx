// Buttons: one component for every clickable action, so sizes, focus rings and states agree.
import { forwardRef, type ButtonHTMLAttributes, type ReactNode } from "react";
import { Tooltip } from "./Tooltip";

export type ButtonVariant = "default" | "primary" | "ghost" | "danger";

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: "md" | "sm";
  icon?: ReactNode;
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = "default", size = "md", icon, className, children, type = "button", ...rest },
  ref,
) {
  const cls = ["btn", variant !== "default" && variant, size === "sm" && "sm", className].filter(Boolean).join(" ");
  return (
    <button ref={ref} type={type} className={cls} {...rest}>
      {icon}
      {children}
    </button>
  );
});

export interface IconButtonProps extends Omit<ButtonProps, "icon" | "children"> {
  label: string; // the accessible name, also shown as the tooltip
  shortcut?: string;
  children: ReactNode; // the icon
}

// A square button holding only an icon: it always has an accessible name and a tooltip.
export const IconButton = forwardRef<HTMLButtonElement, IconButtonProps>(function IconButton(
  { label, shortcut, variant = "ghost", className, children, ...rest },
  ref,
) {
  return (
    <Tooltip content={label} shortcut={shortcut}>
      <Button ref={ref} variant={variant} aria-label={label} className={["icon", className].filter(Boolean).join(" ")} {...rest}>
        {children}
      </Button>
    </Tooltip>
  );
});
