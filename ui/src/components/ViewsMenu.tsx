// The views menu of a table page: built-in views, the project's saved views, Save view… /
// Save view as…, and the three kinds of default view. A fresh visit (no table state in the URL)
// opens the default: personal (this browser) → project → organization → the built-in view.
import { useEffect, useRef, useState } from "react";
import { Bookmark, Eye, FlagTriangleRight, Pin, Save, SaveAll, Trash2 } from "lucide-react";
import { Button, Dialog, ErrorMessage, Menu, MenuItem, MenuLabel, MenuSeparator, toast } from "../ui";
import { useSession } from "../shell/session";
import {
  clearDefault, deleteView, getDefaults, listViews, personalDefault, projectPermissions, saveView,
  setDefault, setPersonalDefault, type Defaults, type SavedView, type ViewPayload, type ViewType,
} from "../state/views";

export interface BuiltinView {
  id: string;
  name: string;
  description?: string;
}

export function ViewsMenu({ projectId, viewType, builtins, current, capture, onApply, fresh }: {
  projectId: string;
  viewType: ViewType;
  builtins: BuiltinView[];
  current: string;
  capture: () => ViewPayload;
  onApply: (view: SavedView | BuiltinView) => void;
  fresh: boolean;
}) {
  const { session } = useSession();
  const [saved, setSaved] = useState<SavedView[]>([]);
  const [defaults, setDefaults] = useState<Defaults>({ project: null, organization: null });
  const [personal, setPersonal] = useState<string | null>(personalDefault(projectId, viewType));
  const [perms, setPerms] = useState<string[]>([]);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState("");
  const applied = useRef(false);
  const canUpdate = perms.includes("update");
  const canSettings = !!session?.permissions.manage_settings;

  useEffect(() => {
    let live = true;
    Promise.all([listViews(projectId, viewType), getDefaults(projectId, viewType), projectPermissions(projectId)])
      .then(([views, dflt, p]) => {
        if (!live) return;
        setSaved(views);
        setDefaults(dflt);
        setPerms(p);
        if (fresh && !applied.current) {
          const mine = personalDefault(projectId, viewType);
          const pick = (mine && (views.find((v) => v.id === mine) ?? builtins.find((b) => b.id === mine))) || dflt.project || dflt.organization;
          if (pick && pick.id !== current) onApply(pick);
        }
        applied.current = true;
      })
      .catch((e) => toast("error", "Could not load the saved views", e.message));
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [projectId, viewType]);

  const all: (SavedView | BuiltinView)[] = [...builtins, ...saved];
  const chosen = all.find((v) => v.id === current) ?? builtins[0];
  const chosenSaved = saved.find((v) => v.id === current) ?? null;
  const kinds = (id: string) => [
    personal === id && "personal default",
    defaults.project?.id === id && "project default",
    defaults.organization?.id === id && "organization default",
  ].filter(Boolean).join(", ");

  async function save() {
    if (!chosenSaved) return;
    try {
      const v = await saveView("PUT", projectId, viewType, chosenSaved.name, capture());
      setSaved((all) => all.map((x) => (x.id === v.id ? v : x)));
      toast("success", `Saved the view “${v.name}”`);
    } catch (e) {
      toast("error", "Could not save the view", (e as Error).message);
    }
  }
  async function saveAs(e: React.FormEvent) {
    e.preventDefault();
    const wanted = name.trim();
    if (saved.some((v) => v.name === wanted)) {
      setNameError(`A view named “${wanted}” exists; choose another name.`);
      return;
    }
    try {
      const v = await saveView("POST", projectId, viewType, wanted, capture());
      setSaved((all) => [v, ...all]);
      setNaming(false);
      onApply(v);
      toast("success", `Saved the view “${v.name}”`);
    } catch (err) {
      setNameError((err as Error).message);
    }
  }
  async function remove() {
    if (!chosenSaved || !window.confirm(`Delete the view “${chosenSaved.name}” for everyone in this project?`)) return;
    try {
      await deleteView(projectId, chosenSaved.id);
      setSaved((all) => all.filter((v) => v.id !== chosenSaved.id));
      onApply(builtins[0]);
    } catch (e) {
      toast("error", "Could not delete the view", (e as Error).message);
    }
  }
  // One kind of default per view: setting one clears the others on it (those you may change).
  async function makeDefault(kind: "personal" | "project" | "organization", on: boolean) {
    const id = chosen.id;
    try {
      let next = defaults;
      if (kind === "personal") {
        setPersonalDefault(projectId, viewType, on ? id : null);
        setPersonal(on ? id : null);
        if (on && next.project?.id === id && canUpdate) next = await clearDefault(projectId, viewType, "project");
        if (on && next.organization?.id === id && canSettings) next = await clearDefault(projectId, viewType, "organization");
      } else {
        next = on ? await setDefault(projectId, viewType, kind, id) : await clearDefault(projectId, viewType, kind);
        if (on && personal === id) {
          setPersonalDefault(projectId, viewType, null);
          setPersonal(null);
        }
      }
      setDefaults(next);
    } catch (e) {
      toast("error", "Could not change the default view", (e as Error).message);
    }
  }
  const isSaved = !!chosenSaved;
  const updateWhy = "Saving views needs the Update permission on this project (Engineers and Owners have it).";
  return (
    <>
      <Menu trigger={<Button aria-label="Views" icon={<Eye />}>{chosen?.name ?? "Default view"}</Button>}>
        <MenuLabel>Built-in views</MenuLabel>
        {builtins.map((v) => (
          <MenuItem key={v.id} title={v.description} checked={v.id === current} hint={kinds(v.id)} onSelect={() => onApply(v)}>{v.name}</MenuItem>
        ))}
        {saved.length > 0 && <MenuLabel>Saved views</MenuLabel>}
        {saved.map((v) => (
          <MenuItem key={v.id} checked={v.id === current} hint={kinds(v.id)} onSelect={() => onApply(v)}>{v.name}</MenuItem>
        ))}
        <MenuSeparator />
        <MenuItem icon={<Save aria-hidden />} disabled={!canUpdate || !isSaved} onSelect={save}
          title={!canUpdate ? updateWhy : !isSaved ? "Built-in views cannot be changed: use Save view as…" : undefined}>
          Save view…
        </MenuItem>
        <MenuItem icon={<SaveAll aria-hidden />} disabled={!canUpdate} title={canUpdate ? undefined : updateWhy}
          onSelect={() => { setName(""); setNameError(""); setNaming(true); }}>
          Save view as…
        </MenuItem>
        {!canUpdate && perms.length > 0 && <div className="menu-note" role="note">{updateWhy}</div>}
        {canUpdate && !isSaved && <div className="menu-note" role="note">Built-in views cannot be changed; Save view as… makes a copy.</div>}
        <MenuSeparator />
        <MenuLabel>“{chosen?.name}”</MenuLabel>
        {personal === chosen?.id
          ? <MenuItem icon={<FlagTriangleRight aria-hidden />} onSelect={() => makeDefault("personal", false)}>Clear personal default view</MenuItem>
          : <MenuItem icon={<FlagTriangleRight aria-hidden />} onSelect={() => makeDefault("personal", true)}>Set as personal default view</MenuItem>}
        {isSaved && (defaults.project?.id === chosen.id
          ? <MenuItem icon={<Bookmark aria-hidden />} disabled={!canUpdate} onSelect={() => makeDefault("project", false)}>Clear project default view</MenuItem>
          : <MenuItem icon={<Bookmark aria-hidden />} disabled={!canUpdate} title={canUpdate ? undefined : "Needs the Update permission on this project"} onSelect={() => makeDefault("project", true)}>Set as project default view</MenuItem>)}
        {isSaved && (defaults.organization?.id === chosen.id
          ? <MenuItem icon={<Pin aria-hidden />} disabled={!canSettings} onSelect={() => makeDefault("organization", false)}>Clear organization default view</MenuItem>
          : <MenuItem icon={<Pin aria-hidden />} disabled={!canSettings} title={canSettings ? undefined : "Needs the organization's Manage settings permission (Owners have it)"} onSelect={() => makeDefault("organization", true)}>Set as organization default view</MenuItem>)}
        {isSaved && canUpdate && <MenuItem icon={<Trash2 aria-hidden />} onSelect={remove}>Delete view</MenuItem>}
      </Menu>
      <Dialog open={naming} onClose={() => setNaming(false)} title="Save view as" narrow>
        <form className="stack" onSubmit={saveAs}>
          <label className="field" htmlFor="view-name">
            <span>View name</span>
            <input id="view-name" className="input" value={name} onChange={(e) => { setName(e.target.value); setNameError(""); }} required autoFocus />
          </label>
          <p className="muted">Everyone in this project sees saved views.</p>
          <ErrorMessage>{nameError}</ErrorMessage>
          <Button type="submit" variant="primary" icon={<SaveAll />} disabled={!name.trim()}>Save</Button>
        </form>
      </Dialog>
    </>
  );
}
