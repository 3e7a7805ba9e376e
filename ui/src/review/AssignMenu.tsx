// Assign the selected rows to a member (the reference's merge on `~__bt_assignments`: the row's
// other assignees stay). The members are loaded when the menu opens.
import { Flag } from "lucide-react";
import { useState } from "react";
import { Button, Menu, MenuItem, MenuLabel, toast } from "../ui";
import { useSession } from "../shell/session";
import { assignRows, members, type Member, type RowsType } from "./api";

export function AssignMenu({ rowsType, objectId, rowIds, onAssigned }: {
  rowsType: RowsType; objectId: string; rowIds: string[]; onAssigned: () => void;
}) {
  const { session } = useSession();
  const [people, setPeople] = useState<Member[] | null>(null);
  const load = (open: boolean) => {
    if (open && !people) members().then(setPeople).catch((e) => toast("error", "Could not load the members", e.message));
  };
  async function assign(m: Member) {
    try {
      await assignRows(rowsType, objectId, rowIds, m.id);
      toast("success", `Assigned ${rowIds.length} ${rowIds.length === 1 ? "row" : "rows"} to ${m.name || m.email}`);
      onAssigned();
    } catch (e) {
      toast("error", "Could not assign", (e as Error).message);
    }
  }
  return (
    <Menu onOpenChange={load} trigger={
      <Button icon={<Flag />} disabled={!rowIds.length} title={rowIds.length ? "Assign the selected rows to a member for review" : "Select rows to assign them"}>
        {rowIds.length ? `Assign ${rowIds.length}` : "Assign"}
      </Button>
    }>
      <MenuLabel>Assign to</MenuLabel>
      {!people && <MenuItem disabled onSelect={() => {}}>Loading members…</MenuItem>}
      {people?.length === 0 && <MenuItem disabled onSelect={() => {}}>No members yet</MenuItem>}
      {people?.map((m) => (
        <MenuItem key={m.id} onSelect={() => void assign(m)} hint={m.pending ? "invited" : undefined}>
          {m.name || m.email}{m.id === session?.user.id ? " (you)" : ""}
        </MenuItem>
      ))}
    </Menu>
  );
}
