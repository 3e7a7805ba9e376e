// A search box with an icon and an optional shortcut hint; Escape clears it.
import { Search as SearchIcon } from "lucide-react";
import { forwardRef, type InputHTMLAttributes } from "react";

export const SearchInput = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement> & { shortcut?: string; width?: number }>(
  function SearchInput({ shortcut, width = 240, className, ...rest }, ref) {
    return (
      <span className="search-field">
        <SearchIcon aria-hidden />
        <input ref={ref} type="search" className={["input", className].filter(Boolean).join(" ")} style={{ width }} {...rest} />
        {shortcut && !rest.value && <kbd aria-hidden>{shortcut}</kbd>}
      </span>
    );
  },
);
