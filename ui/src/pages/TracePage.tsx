import { useEffect, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { ArrowLeft } from "lucide-react";
import { api, q, type Experiment } from "../api/client";
import { ErrorMessage, SkeletonRows } from "../ui";
import { useCrumbs } from "../shell/crumbs";
import { readTraceParams, type TraceMode } from "../state/trace";
import { TraceView } from "../trace/TraceView";

// A trace on its own page: `/app/<org>/p/<project>/experiments/<name>/trace/<root span id>?sp=&tvt=`.
export function TracePage() {
  const { org = "", project = "", experiment = "", trace = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const tp = readTraceParams(params);
  const [exp, setExp] = useState<Experiment | null>(null);
  const [error, setError] = useState("");
  const projectPath = `/${encodeURIComponent(org)}/p/${encodeURIComponent(project)}`;
  const expPath = `${projectPath}/experiments/${encodeURIComponent(experiment)}`;
  useCrumbs([{ label: org, to: "/" }, { label: project, to: projectPath }, { label: experiment, to: expPath }, { label: "Trace" }]);
  useEffect(() => {
    // One request: the experiment by its project's name and its own (an unknown project is a 404
    // that names it), so the trace's skeleton is asked for one round trip sooner.
    api<{ objects: Experiment[] }>(`/v1/experiment?project_name=${q(project)}&experiment_name=${q(experiment)}`)
      .then((r) => {
        const found = r.objects.find((e) => e.name === experiment);
        if (!found) throw new Error(`experiment ${experiment} not found`);
        setExp(found);
      })
      .catch((e) => setError(e.message));
  }, [project, experiment]);
  const set = (patch: { sp?: string; tvt?: TraceMode }) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      if (patch.sp !== undefined) next.set("sp", patch.sp);
      if (patch.tvt !== undefined) (patch.tvt === "trace" ? next.delete("tvt") : next.set("tvt", patch.tvt));
      return next;
    }, { replace: true });
  return (
    <main className="page fill trace-page">
      <div className="row trace-page-nav">
        <Link to={`${expPath}?tr=${encodeURIComponent(trace)}${tp.span ? `&sp=${encodeURIComponent(tp.span)}` : ""}`} className="btn ghost sm">
          <ArrowLeft aria-hidden />Back to {experiment}
        </Link>
      </div>
      <ErrorMessage>{error}</ErrorMessage>
      {!exp && !error && <SkeletonRows rows={8} label="Loading" />}
      {exp && (
        <div className="trace-panel page-panel">
          <TraceView trace={{ objectType: "experiment", objectId: exp.id, rootSpanId: trace }} span={tp.span} mode={tp.mode}
            onSpan={(sp) => set({ sp })} onMode={(tvt) => set({ tvt })} assistant />
        </div>
      )}
    </main>
  );
}
