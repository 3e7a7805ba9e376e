import { useEffect, useState } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { api, q } from "../api/client";
import { ErrorMessage, Spinner } from "../ui";

// `/app/object?object_type=experiment&object_id=<id>`: a permalink that survives renames.
export function ObjectRedirect() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [error, setError] = useState("");
  useEffect(() => {
    const type = params.get("object_type") ?? "experiment";
    const id = params.get("object_id") ?? "";
    api<{ path: string }>(`/v1/object/resolve?object_type=${q(type)}&object_id=${q(id)}`)
      .then((r) => navigate(r.path.replace(/^\/app/, ""), { replace: true }))
      .catch((e) => setError(e.message));
  }, [params, navigate]);
  return (
    <main className="page">
      {error ? <ErrorMessage>{error}</ErrorMessage> : <p className="row muted"><Spinner /> Opening…</p>}
    </main>
  );
}
