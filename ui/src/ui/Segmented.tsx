// A segmented control: a radio group drawn as joined buttons (arrow keys move, as native radios do).
import type { ReactNode } from "react";

export function Segmented<T extends string>({ label, value, options, onChange, name, hideLabel = true }: {
  label: string;
  value: T;
  options: readonly (readonly [T, ReactNode] | readonly [T, ReactNode, boolean])[]; // value, label, disabled
  onChange: (v: T) => void;
  name?: string;
  hideLabel?: boolean;
}) {
  return (
    <div role="radiogroup" aria-label={label} className="segmented-wrap">
      {!hideLabel && <span className="label">{label}</span>}
      <div className="segmented">
        {options.map(([v, text, disabled]) => (
          <label key={v} aria-disabled={disabled || undefined} data-value={v}>
            <input type="radio" name={name ?? label} checked={value === v} disabled={!!disabled}
              onChange={() => onChange(v)} />
            {text}
          </label>
        ))}
      </div>
    </div>
  );
}
