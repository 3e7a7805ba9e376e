// The human-review part of the scores panel: the project's review scores as inputs (slider,
// options, text), saved as they are set; the row's average over reviewers beside your own value,
// and every reviewer's values on hover; comments, tags and "Mark complete". Each reviewer's values
// are kept apart by the server (docs/review.md), so setting yours never changes anyone else's.
import { Check, ClipboardCheck, MessageSquare, RotateCcw, Settings2, Tag, X } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { Link } from "react-router-dom";
import { Button, ErrorMessage, IconButton, SkeletonRows, toast } from "../ui";
import { Markdown } from "../trace/Markdown";
import { useSession } from "../shell/session";
import { fetchReview, pct, postReview, reviewScores, type ProjectScore, type ReviewInput, type ReviewState, type RowsType } from "./api";

export interface ReviewTarget {
  rowsType: RowsType;
  objectId: string;
  projectId: string;
  rowId: string;
  settingsHref?: string; // the project's review-score settings page
}

type Value = number | string | string[] | null;

export function ReviewPanel({ target, onReviewed, compact }: {
  target: ReviewTarget; onReviewed?: (s: ReviewState) => void; compact?: boolean;
}) {
  const { session } = useSession();
  const [defs, setDefs] = useState<ProjectScore[] | null>(null);
  const [state, setState] = useState<ReviewState | null>(null);
  const [error, setError] = useState("");
  const [comment, setComment] = useState("");
  const [tag, setTag] = useState("");
  const me = session?.user.id ?? "";
  useEffect(() => {
    let live = true;
    setState(null);
    setError("");
    Promise.all([reviewScores(target.projectId), fetchReview(target.rowsType, target.objectId, target.rowId)])
      .then(([d, s]) => { if (live) { setDefs(d); setState(s); } })
      .catch((e) => live && setError(e.message));
    return () => { live = false; };
  }, [target.rowsType, target.objectId, target.projectId, target.rowId]);

  async function send(body: Omit<ReviewInput, "id">, done?: string) {
    try {
      const s = await postReview(target.rowsType, target.objectId, { id: target.rowId, ...body });
      setState(s);
      onReviewed?.(s);
      if (done) toast("success", done);
      return s;
    } catch (e) {
      toast("error", "The review was not saved", (e as Error).message);
      return null;
    }
  }
  const mine = state?.reviews.find((r) => r.reviewer.id === me)?.values ?? {};
  const complete = !!state?.status && state.status !== "PENDING";
  return (
    <section className={`field-view review-panel ${compact ? "compact" : ""}`} aria-label="Human review">
      <header>
        <span className="field-title"><ClipboardCheck aria-hidden />Human review</span>
        {state && complete && <span className="badge success" aria-label="Review status">Complete</span>}
        {state && state.status === "PENDING" && <span className="badge" aria-label="Review status">Pending</span>}
        <span className="spacer" />
        {target.settingsHref && (
          <Link className="btn ghost sm" to={target.settingsHref} title="Add or change the project's review scores"><Settings2 aria-hidden />Review scores</Link>
        )}
      </header>
      <div className="field-body stack">
        <ErrorMessage>{error}</ErrorMessage>
        {!error && (!defs || !state) && <SkeletonRows rows={3} label="Loading the review" />}
        {defs && state && defs.length === 0 && (
          <p className="subtle">
            This project has no review scores yet.{" "}
            {target.settingsHref && <Link to={target.settingsHref}>Add a review score</Link>}
          </p>
        )}
        {defs && state && (
          <ul className="review-scores">
            {defs.map((d) => (
              <ReviewScore key={d.id} def={d} mine={(mine as Record<string, Value>)[d.name] ?? null} state={state} me={me}
                onSet={(v) => send({ scores: { [d.name]: v } })} />
            ))}
          </ul>
        )}
        {state && (
          <>
            <form className="row review-comment" onSubmit={async (e) => {
              e.preventDefault();
              if (comment.trim() && (await send({ comment: comment.trim() }, "Comment added"))) setComment("");
            }}>
              <input className="input sm" aria-label="Comment" placeholder="Add a comment" value={comment} onChange={(e) => setComment(e.target.value)} />
              <Button size="sm" type="submit" icon={<MessageSquare />} disabled={!comment.trim()}>Comment</Button>
            </form>
            <form className="row review-comment" onSubmit={async (e) => {
              e.preventDefault();
              if (tag.trim() && (await send({ tags: [tag.trim()] }, `Tagged ${tag.trim()}`))) setTag("");
            }}>
              <input className="input sm" aria-label="Tag" placeholder="Add a tag" value={tag} onChange={(e) => setTag(e.target.value)} />
              <Button size="sm" type="submit" icon={<Tag />} disabled={!tag.trim()}>Tag</Button>
            </form>
            {!compact && (
              complete
                ? <Button size="sm" icon={<RotateCcw />} onClick={() => send({ complete: false }, "Review reopened")}>Reopen review</Button>
                : <Button size="sm" variant="primary" icon={<Check />} onClick={() => send({ complete: true }, "Review marked complete")}>Mark complete</Button>
            )}
          </>
        )}
      </div>
    </section>
  );
}

function show(v: unknown): string {
  if (v == null) return "—";
  if (typeof v === "number") return pct(v);
  if (Array.isArray(v)) return v.join(", ");
  return String(v);
}

function ReviewScore({ def, mine, state, me, onSet }: {
  def: ProjectScore; mine: Value; state: ReviewState; me: string; onSet: (v: Value) => void;
}) {
  const combined = (state.values as Record<string, unknown>)[def.name];
  const others = state.reviews.filter((r) => r.reviewer.id !== me && r.values[def.name] != null);
  const all = state.reviews.filter((r) => r.values[def.name] != null);
  const numeric = def.score_type === "slider" || (def.score_type === "categorical" && def.config?.destination !== "expected");
  const breakdown = all.map((r) => `${r.reviewer.name || r.reviewer.email || "someone"}: ${show(r.values[def.name])}`).join("\n");
  return (
    <li className="review-score" data-review-score={def.name}>
      <div className="review-score-head">
        <span className="score-name">{def.name}</span>
        <span className="subtle">{def.score_type}</span>
        <span className="spacer" />
        {combined != null && (
          <span className="review-combined" aria-label={`${def.name} on the row`} title={breakdown}>
            {numeric ? `${show(combined)} avg of ${all.length}` : show(combined)}
          </span>
        )}
        {mine != null && <IconButton label={`Clear my ${def.name}`} size="sm" onClick={() => onSet(null)}><X /></IconButton>}
      </div>
      {def.description && <div className="review-description"><Markdown text={def.description} /></div>}
      {def.score_type === "slider" && <SliderInput name={def.name} value={typeof mine === "number" ? mine : null} onSet={onSet} />}
      {def.score_type === "categorical" && <Options def={def} value={mine} onSet={onSet} />}
      {def.score_type === "free-form" && <FreeText name={def.name} value={typeof mine === "string" ? mine : ""} onSet={onSet} />}
      {others.length > 0 && (
        <details className="review-others">
          <summary>{others.length} other {others.length === 1 ? "review" : "reviews"}</summary>
          <ul>
            {others.map((r) => (
              <li key={r.review_span_id}><b>{r.reviewer.name || r.reviewer.email}</b> {show(r.values[def.name])} <span className="subtle">{new Date(r.reviewed_at).toLocaleString()}</span></li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

// A 0–100% slider, saved a moment after it stops moving (dragging or arrow keys).
function SliderInput({ name, value, onSet }: { name: string; value: number | null; onSet: (v: number) => void }) {
  const [draft, setDraft] = useState<number | null>(value);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => setDraft(value), [value]);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  return (
    <div className="row review-slider">
      <input type="range" min={0} max={100} step={1} aria-label={`Your ${name}`} value={draft == null ? 50 : Math.round(draft * 100)}
        className={draft == null ? "unset" : ""}
        onChange={(e) => {
          const v = Number(e.target.value) / 100;
          setDraft(v);
          window.clearTimeout(timer.current);
          timer.current = window.setTimeout(() => onSet(v), 400);
        }} />
      <span className="score-value">{draft == null ? "not set" : pct(draft)}</span>
    </div>
  );
}

function Options({ def, value, onSet }: { def: ProjectScore; value: Value; onSet: (v: Value) => void }) {
  const options = (def.categories ?? []) as { name: string; value: number }[];
  const multi = !!def.config?.multi_select;
  const chosen = Array.isArray(value) ? value : value == null ? [] : [String(value)];
  return (
    <div className="review-options" role={multi ? "group" : "radiogroup"} aria-label={`Your ${def.name}`}>
      {options.map((o) => {
        const on = chosen.includes(o.name);
        return (
          <button key={o.name} type="button" role={multi ? "checkbox" : "radio"} aria-checked={on} className={`btn sm ${on ? "primary" : ""}`}
            onClick={() => {
              if (!multi) return onSet(on ? null : o.name);
              const next = on ? chosen.filter((c) => c !== o.name) : [...chosen, o.name];
              onSet(next.length ? next : null);
            }}>
            {o.name}{def.config?.destination !== "expected" && <small>{pct(o.value)}</small>}
          </button>
        );
      })}
    </div>
  );
}

function FreeText({ name, value, onSet }: { name: string; value: string; onSet: (v: string | null) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const save = () => { if (draft.trim() !== value) onSet(draft.trim() || null); };
  return (
    <div className="stack">
      <textarea className="textarea" rows={2} aria-label={`Your ${name}`} value={draft} onChange={(e) => setDraft(e.target.value)}
        onBlur={save} onKeyDown={(e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save(); } }} />
    </div>
  );
}
