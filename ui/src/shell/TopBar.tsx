// The app's top bar: brand, where you are, the theme, keyboard shortcuts and signing out.
import { ChevronRight, CircleUser, KeyRound, Keyboard, LogOut, Monitor, Moon, Sun, Users } from "lucide-react";
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { signOut } from "../api/client";
import { Button, Dialog, IconButton, Menu, MenuItem, MenuLabel, MenuSeparator, toast, useHotkeys, useTheme, type ThemeChoice } from "../ui";
import { useSession } from "./session";
import { useCurrentCrumbs } from "./crumbs";
import { Logo } from "./Logo";

const THEMES: [ThemeChoice, string, typeof Sun][] = [
  ["system", "System", Monitor],
  ["light", "Light", Sun],
  ["dark", "Dark", Moon],
];

export const SHORTCUTS: [string, string][] = [
  ["/", "Search rows"],
  ["j / ↓", "Next row (or next span in the trace tree)"],
  ["k / ↑", "Previous row (or previous span)"],
  ["Enter", "Open the focused row's trace"],
  ["Esc", "Close the trace (or leave fullscreen)"],
  ["f", "Trace fullscreen on or off"],
  ["1 / 2 / 3", "Trace, Timeline, Thread view"],
  ["Ctrl F", "Find in the trace (when it is open)"],
  ["?", "This list"],
];

export function TopBar() {
  const crumbs = useCurrentCrumbs();
  const [theme, setTheme, resolved] = useTheme();
  const [help, setHelp] = useState(false);
  useHotkeys({ "?": () => setHelp(true) });
  const ThemeIcon = resolved === "dark" ? Moon : Sun;
  return (
    <header className="topbar">
      <Link to="/" className="brand" aria-label="Assay home"><Logo /><span>Assay</span></Link>
      <nav className="crumbs" aria-label="Breadcrumb">
        {crumbs.map((c, i) => (
          <span key={i} className="crumb">
            <ChevronRight aria-hidden className="crumb-sep" />
            {c.to && i < crumbs.length - 1 ? <Link to={c.to}>{c.label}</Link> : <span aria-current={i === crumbs.length - 1 ? "page" : undefined}>{c.label}</span>}
          </span>
        ))}
      </nav>
      <span className="spacer" />
      <IconButton label="Keyboard shortcuts" shortcut="?" onClick={() => setHelp(true)}><Keyboard /></IconButton>
      <Menu align="end" trigger={<IconButton label={`Theme: ${theme}`} data-theme-choice={theme}><ThemeIcon /></IconButton>}>
        {THEMES.map(([v, label, Icon]) => (
          <MenuItem key={v} icon={<Icon aria-hidden />} checked={theme === v} onSelect={() => setTheme(v)}>{label}</MenuItem>
        ))}
      </Menu>
      <UserMenu />
      <Dialog open={help} onClose={() => setHelp(false)} title="Keyboard shortcuts" narrow>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map(([k, what]) => (
              <tr key={k}><td>{k.split(" ").map((p, i) => p === "/" && k !== "/" ? <span key={i}> / </span> : <kbd key={i}>{p}</kbd>)}</td><td>{what}</td></tr>
            ))}
          </tbody>
        </table>
      </Dialog>
    </header>
  );
}

// The signed-in user: their organization's members and API keys, and signing out (here or everywhere).
function UserMenu() {
  const { session, set } = useSession();
  const navigate = useNavigate();
  if (!session) return null;
  async function out(everywhere: boolean) {
    try {
      await signOut(everywhere);
    } catch (e) {
      toast("error", "Could not sign out", (e as Error).message);
      return;
    }
    set(null);
    navigate("/login", { replace: true });
  }
  return (
    <Menu align="end" trigger={<Button variant="ghost" aria-label={`Account: ${session.user.name}`} icon={<CircleUser />}>{session.user.name}</Button>}>
      <MenuLabel>{session.user.email} · {session.org.name}</MenuLabel>
      <MenuItem icon={<Users aria-hidden />} onSelect={() => navigate("/settings/members")}>Members</MenuItem>
      <MenuItem icon={<KeyRound aria-hidden />} onSelect={() => navigate("/settings/keys")}>API keys</MenuItem>
      <MenuSeparator />
      <MenuItem icon={<LogOut aria-hidden />} onSelect={() => out(false)}>Sign out</MenuItem>
      <MenuItem icon={<LogOut aria-hidden />} onSelect={() => out(true)}>Sign out everywhere</MenuItem>
    </Menu>
  );
}
