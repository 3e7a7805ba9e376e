import { useEffect, useState } from "react";
import { UserPlus, UserMinus, Users } from "lucide-react";
import { api } from "../../api/client";
import { Button, CopyButton, Dialog, EmptyState, ErrorMessage, IconButton, SkeletonRows, toast } from "../../ui";
import { useCrumbs } from "../../shell/crumbs";
import { useSession } from "../../shell/session";

interface Member {
  id: string;
  email: string;
  name: string;
  groups: string[];
  pending: boolean;
  joined: string;
}

const GROUPS = ["Viewers", "Engineers", "Owners"];

// The organization's members: who is in which built-in group, who has not accepted yet; owners
// invite (the one-time link is shown here to pass on) and remove members.
export function Members() {
  const { session } = useSession();
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState("");
  const [inviting, setInviting] = useState(false);
  const [email, setEmail] = useState("");
  const [group, setGroup] = useState("Viewers");
  const [link, setLink] = useState<{ email: string; link: string | null } | null>(null);
  const perms = session?.permissions;
  useCrumbs([{ label: session?.org.name ?? "", to: "/" }, { label: "Members" }]);
  const load = () => api<{ objects: Member[] }>("/v1/organization/members").then((r) => setMembers(r.objects)).catch((e) => setError(e.message));
  useEffect(() => { load(); }, []);

  async function invite(e: React.FormEvent) {
    e.preventDefault();
    try {
      const r = await api<{ invitations: { email: string; link: string | null }[]; send_email_error: string | null }>(
        "/v1/organization/members", { method: "PATCH", json: { invite_users: { emails: [email.trim()], group_name: group } } });
      setLink(r.invitations[0]);
      if (r.send_email_error) toast("error", "The invitation mail was not sent", r.send_email_error);
      setEmail("");
      load();
    } catch (err) {
      toast("error", "Could not invite", (err as Error).message);
    }
  }
  async function remove(m: Member) {
    if (!window.confirm(`Remove ${m.email} from ${session?.org.name}? Their API keys stop working.`)) return;
    try {
      await api("/v1/organization/members", { method: "PATCH", json: { remove_users: { ids: [m.id] } } });
      toast("success", `Removed ${m.email}`);
      load();
    } catch (err) {
      toast("error", "Could not remove", (err as Error).message);
    }
  }
  return (
    <main className="page">
      <div className="page-header">
        <div className="titles"><span className="eyebrow">{session?.org.name}</span><h1>Members</h1></div>
        <span className="spacer" />
        <Button variant="primary" icon={<UserPlus />} disabled={!perms?.invite_members}
          title={perms?.invite_members ? undefined : "Inviting members needs the Manage members permission (Owners have it)"}
          onClick={() => { setLink(null); setInviting(true); }}>Invite member</Button>
      </div>
      <ErrorMessage>{error}</ErrorMessage>
      {!members && !error && <SkeletonRows rows={4} label="Loading members" />}
      {members && members.length === 0 && <EmptyState icon={<Users />} title="No members yet" />}
      {members && members.length > 0 && (
        <div className="table-card">
          <table className="list" aria-label="Members">
            <thead><tr><th>Name</th><th>Email</th><th>Groups</th><th>Status</th><th className="actions" aria-label="Actions" /></tr></thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.id} data-member={m.email}>
                  <td>{m.name}{m.id === session?.user.id && <span className="subtle"> (you)</span>}</td>
                  <td>{m.email}</td>
                  <td>{m.groups.length ? m.groups.map((g) => <span key={g} className="badge">{g}</span>) : <span className="subtle">no project access</span>}</td>
                  <td>{m.pending ? <span className="badge">invited</span> : "active"}</td>
                  <td className="actions">{perms?.remove_members && m.id !== session?.user.id && (
                    <IconButton label={`Remove ${m.email}`} onClick={() => remove(m)}><UserMinus /></IconButton>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={inviting} onClose={() => setInviting(false)} title="Invite a member" narrow>
        {link ? (
          <div className="stack">
            {link.link ? (
              <>
                <p>Send this one-time link to <b>{link.email}</b>; it lets them choose a password and sign in.</p>
                <div className="row"><code className="invite-link" aria-label="Invitation link">{link.link}</code><CopyButton text={link.link} label="Copy link" /></div>
              </>
            ) : <p><b>{link.email}</b> already has an account and can sign in now.</p>}
            <Button onClick={() => setLink(null)}>Invite someone else</Button>
          </div>
        ) : (
          <form className="stack" onSubmit={invite}>
            <label className="field" htmlFor="invite-email">
              <span>Email</span>
              <input id="invite-email" className="input" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
            </label>
            <label className="field" htmlFor="invite-group">
              <span>Group</span>
              <select id="invite-group" className="select" value={group} onChange={(e) => setGroup(e.target.value)}>
                {GROUPS.map((g) => <option key={g} value={g}>{g}</option>)}
              </select>
            </label>
            <Button type="submit" variant="primary" icon={<UserPlus />} disabled={!email.trim()}>Invite</Button>
          </form>
        )}
      </Dialog>
    </main>
  );
}
