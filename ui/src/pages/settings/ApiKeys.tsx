import { useEffect, useState } from "react";
import { KeyRound, Plus, Trash2 } from "lucide-react";
import { api } from "../../api/client";
import { Button, CopyButton, Dialog, EmptyState, ErrorMessage, IconButton, SkeletonRows, toast } from "../../ui";
import { useCrumbs } from "../../shell/crumbs";
import { useSession } from "../../shell/session";

interface Key {
  id: string;
  name: string;
  preview_name: string;
  user_email: string | null;
  created: string | null;
}

// API keys: each carries its member's permissions; the key itself is shown once, when created.
export function ApiKeys() {
  const { session } = useSession();
  const [keys, setKeys] = useState<Key[] | null>(null);
  const [error, setError] = useState("");
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<string | null>(null);
  useCrumbs([{ label: session?.org.name ?? "", to: "/" }, { label: "API keys" }]);
  const load = () => api<{ objects: Key[] }>("/v1/api_key").then((r) => setKeys(r.objects)).catch((e) => setError(e.message));
  useEffect(() => { load(); }, []);
  async function create(e: React.FormEvent) {
    e.preventDefault();
    try {
      const r = await api<{ key: string }>("/v1/api_key", { method: "POST", json: { name: name.trim() } });
      setCreated(r.key);
      setName("");
      load();
    } catch (err) {
      toast("error", "Could not create the key", (err as Error).message);
    }
  }
  async function revoke(k: Key) {
    if (!window.confirm(`Revoke ${k.name} (${k.preview_name})? Anything using it stops working at once.`)) return;
    try {
      await api(`/v1/api_key/${k.id}`, { method: "DELETE" });
      toast("success", `Revoked ${k.name}`);
      load();
    } catch (err) {
      toast("error", "Could not revoke", (err as Error).message);
    }
  }
  return (
    <main className="page">
      <div className="page-header">
        <div className="titles"><span className="eyebrow">{session?.org.name}</span><h1>API keys</h1></div>
        <span className="spacer" />
        <Button variant="primary" icon={<Plus />} onClick={() => { setCreated(null); setCreating(true); }}>Create API key</Button>
      </div>
      <p className="muted page-intro">A key acts with your permissions. Use it as <code>BRAINTRUST_API_KEY</code> for the SDK, or <code>Authorization: Bearer &lt;key&gt;</code>.</p>
      <ErrorMessage>{error}</ErrorMessage>
      {!keys && !error && <SkeletonRows rows={3} label="Loading keys" />}
      {keys && keys.length === 0 && <EmptyState icon={<KeyRound />} title="No API keys yet">Create one for the SDK or a script.</EmptyState>}
      {keys && keys.length > 0 && (
        <div className="table-card">
          <table className="list" aria-label="API keys">
            <thead><tr><th>Name</th><th>Key</th><th>Member</th><th>Created</th><th className="actions" aria-label="Actions" /></tr></thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id} data-key={k.name}>
                  <td>{k.name}</td><td className="mono">{k.preview_name}</td><td>{k.user_email}</td>
                  <td className="muted">{k.created ? new Date(k.created).toLocaleString() : ""}</td>
                  <td className="actions"><IconButton label={`Revoke ${k.name}`} onClick={() => revoke(k)}><Trash2 /></IconButton></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={creating} onClose={() => setCreating(false)} title="Create an API key" narrow>
        {created ? (
          <div className="stack">
            <p>Copy the key now: it is not shown again.</p>
            <div className="row"><code className="invite-link" aria-label="New API key">{created}</code><CopyButton text={created} label="Copy key" /></div>
          </div>
        ) : (
          <form className="stack" onSubmit={create}>
            <label className="field" htmlFor="key-name"><span>Name</span>
              <input id="key-name" className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. CI" required autoFocus />
            </label>
            <Button type="submit" variant="primary" icon={<Plus />} disabled={!name.trim()}>Create</Button>
          </form>
        )}
      </Dialog>
    </main>
  );
}
