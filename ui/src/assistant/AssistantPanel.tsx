// The analysis assistant on an experiment, without an LLM: suggested questions (or a typed one,
// matched to an analysis by its words), each answered by a deterministic analysis with its
// evidence. Anything that writes (a dataset) asks for confirmation first. On a comparison (several
// experiments), "what improved" answers for each compared experiment against the base, and the
// other analyses run on the experiment chosen in the panel.
import { useEffect, useRef, useState } from "react";
import { Sparkles, X } from "lucide-react";
import { Button, CopyButton, ErrorMessage, IconButton, Segmented, SkeletonRows } from "../ui";
import { analyses, chat, type ChatAnswer, type DatasetResult, type GeneratedCode } from "./api";
import { ChatTurns } from "./Chat";
import { AgreementAnswer, ChangesAnswer, ErrorsAnswer, SlicesAnswer } from "./Answers";
import { DatasetDialog } from "./DatasetDialog";
import { QUESTIONS, match, type Kind } from "./questions";

type Result =
  | { kind: "changes"; data: Awaited<ReturnType<typeof analyses.changes>> }
  | { kind: "changes_many"; data: { experiment: Experiment; report: Awaited<ReturnType<typeof analyses.changes>> }[] }
  | { kind: "slices"; data: Awaited<ReturnType<typeof analyses.slices>> }
  | { kind: "errors"; data: Awaited<ReturnType<typeof analyses.errors>> }
  | { kind: "agreement"; data: Awaited<ReturnType<typeof analyses.agreement>> }
  | { kind: "dataset"; data: DatasetResult; filter: string }
  | { kind: "code"; data: GeneratedCode; dataset: string }
  | { kind: "unknown" };

interface Turn { id: number; question: string; result?: Result; error?: string }
interface Experiment { id: string; name: string }

export function AssistantPanel({ experiment, comparisonId, experiments = [], scores, onFilter, onClose }: {
  experiment: Experiment;
  comparisonId: string; // the base to compare with ("" for the default one)
  experiments?: Experiment[]; // a comparison's experiments, its base included
  scores: string[];
  onFilter: (filter: string) => void; onClose: () => void;
}) {
  const compared = experiments.filter((e) => e.id !== comparisonId);
  const subjects = [experiment, ...experiments.filter((e) => e.id !== experiment.id)];
  const [subjectId, setSubjectId] = useState(experiment.id);
  const subject = subjects.find((e) => e.id === subjectId) ?? experiment;
  const [turns, setTurns] = useState<Turn[]>([]);
  const [draft, setDraft] = useState("");
  const [confirming, setConfirming] = useState(false);
  const next = useRef(1);
  const end = useRef<HTMLDivElement>(null);
  // With an LLM on the server, typed questions go to the chat agent; suggestions stay deterministic.
  const [llm, setLlm] = useState(false);
  const [conversation, setConversation] = useState<ChatAnswer | null>(null);
  const [chatBusy, setChatBusy] = useState(false);
  const [chatError, setChatError] = useState("");
  useEffect(() => { chat.status().then((s) => setLlm(s.configured)).catch(() => setLlm(false)); }, []);
  useEffect(() => { end.current?.scrollIntoView?.({ block: "nearest" }); }, [turns, conversation]);

  async function sendChat(body: { message?: string; confirm?: boolean }) {
    setChatBusy(true);
    setChatError("");
    try {
      setConversation(await chat.send(subject.id, { conversation_id: conversation?.conversation_id ?? null, ...body }));
    } catch (e) {
      setChatError((e as Error).message);
    } finally {
      setChatBusy(false);
    }
  }

  function settle(id: number, patch: Partial<Turn>) {
    setTurns((ts) => ts.map((t) => (t.id === id ? { ...t, ...patch } : t)));
  }
  function ask(question: string, kind: Kind | "code" | null, run?: () => Promise<Result>) {
    const id = next.current++;
    setTurns((ts) => [...ts, { id, question }]);
    if (kind === null) return settle(id, { result: { kind: "unknown" } });
    const work = run ?? (() => runKind(kind as Exclude<Kind, "dataset">));
    work().then((result) => settle(id, { result })).catch((e) => settle(id, { error: e.message }));
  }
  async function runKind(kind: Exclude<Kind, "dataset">): Promise<Result> {
    if (kind === "changes" && compared.length > 1)
      return {
        kind: "changes_many",
        data: await Promise.all(compared.map(async (e) => ({ experiment: e, report: await analyses.changes(e.id, comparisonId) }))),
      };
    if (kind === "changes") return { kind, data: await analyses.changes(compared[0]?.id ?? experiment.id, comparisonId) };
    if (kind === "slices") return { kind, data: await analyses.slices(subject.id) };
    if (kind === "errors") return { kind, data: await analyses.errors(subject.id) };
    return { kind, data: await analyses.agreement(subject.id) };
  }
  function choose(question: string) {
    const kind = match(question);
    if (kind === "dataset") {
      setConfirming(true);
      return;
    }
    ask(question, kind);
  }
  function created(data: DatasetResult, filter: string) {
    setConfirming(false);
    const id = next.current++;
    setTurns((ts) => [...ts, { id, question: "Create a dataset from the rows where the model failed", result: { kind: "dataset", data, filter } }]);
  }
  function code(dataset: string) {
    ask(`Write an Eval() that re-runs the dataset “${dataset}”`, "code", async () => ({
      kind: "code", data: await analyses.code(subject.id, dataset), dataset,
    }));
  }

  return (
    <aside className="details assistant" aria-label="Assistant">
      <header>
        <h2><Sparkles aria-hidden /> Assistant</h2>
        <IconButton label="Close assistant" onClick={onClose}><X /></IconButton>
      </header>
      <p className="subtle">
        {llm
          ? "Suggested questions are answered from the data (no LLM); typed ones by the LLM, which calls those analyses and shows each call."
          : "Answers computed from this experiment's data (no LLM), with the rows they rest on."}
      </p>
      {subjects.length > 1 && (
        <label className="row subject">
          <span className="muted">Analyse</span>
          <select className="select sm" aria-label="Experiment to analyse" value={subject.id} onChange={(e) => setSubjectId(e.target.value)}>
            {subjects.map((e) => <option key={e.id} value={e.id}>{e.name}</option>)}
          </select>
          <span className="subtle">“What improved” answers for every compared experiment.</span>
        </label>
      )}
      <section className="suggestions" aria-label="Suggested questions">
        {QUESTIONS.map((q) => (
          <Button key={q.kind} size="sm" className="suggestion" onClick={() => choose(q.text)}>{q.text}</Button>
        ))}
      </section>
      <div className="turns" aria-live="polite">
        {turns.map((t) => (
          <section key={t.id} className="turn" aria-label={t.question}>
            <p className="question">{t.question}</p>
            <div className="answer">
              {t.error ? <ErrorMessage>{t.error}</ErrorMessage>
                : !t.result ? <SkeletonRows rows={3} label="Analysing" />
                : <Answer result={t.result} onFilter={onFilter} onCode={code} />}
            </div>
          </section>
        ))}
        {conversation && (
          <section className="turn chat" aria-label="Conversation with the LLM">
            <ChatTurns answer={conversation} busy={chatBusy} onConfirm={(ok) => sendChat({ confirm: ok })} />
          </section>
        )}
        {chatBusy && <SkeletonRows rows={2} label="The assistant is working" />}
        <ErrorMessage>{chatError}</ErrorMessage>
        <div ref={end} />
      </div>
      <form className="ask" onSubmit={(e) => {
        e.preventDefault();
        const text = draft.trim();
        if (!text) return;
        if (llm) sendChat({ message: text });
        else choose(text);
        setDraft("");
      }}>
        <input className="input" aria-label="Ask the assistant" value={draft} onChange={(e) => setDraft(e.target.value)}
          placeholder={llm ? "Ask anything (answered by the LLM with the analyses)" : "Ask about this experiment"} />
        <Button type="submit" variant="primary" disabled={!draft.trim() || chatBusy || !!conversation?.pending}>Ask</Button>
      </form>
      <DatasetDialog open={confirming} experimentId={subject.id} experimentName={subject.name} scores={scores}
        onClose={() => setConfirming(false)} onCreated={created} />
    </aside>
  );
}

function Answer({ result, onFilter, onCode }: { result: Result; onFilter: (f: string) => void; onCode: (dataset: string) => void }) {
  switch (result.kind) {
    case "changes": return <ChangesAnswer report={result.data} />;
    case "changes_many": return (
      <>
        {result.data.map(({ experiment, report }) => (
          <section key={experiment.id} className="answer-part" aria-label={`Changes of ${experiment.name}`}>
            <h3 className="answer-title">{experiment.name}</h3>
            <ChangesAnswer report={report} />
          </section>
        ))}
      </>
    );
    case "slices": return <SlicesAnswer report={result.data} onFilter={onFilter} />;
    case "errors": return <ErrorsAnswer report={result.data} />;
    case "agreement": return <AgreementAnswer report={result.data} />;
    case "dataset": return (
      <>
        <p>Wrote <strong>{result.data.rows}</strong> row{result.data.rows > 1 ? "s" : ""} (<code>{result.filter}</code>) to the dataset <strong>{result.data.dataset_name}</strong>; each keeps its origin.</p>
        <Button size="sm" onClick={() => onCode(result.data.dataset_name)}>Write an Eval() that re-runs it</Button>
      </>
    );
    case "code": return <CodeAnswer code={result.data} />;
    default: return (
      <p>Without an LLM I answer these questions: {QUESTIONS.map((q) => `“${q.text}”`).join(", ")}. Ask one of them, or use its words.</p>
    );
  }
}

function CodeAnswer({ code }: { code: GeneratedCode }) {
  const [lang, setLang] = useState<"python" | "typescript">("python");
  const text = code[lang];
  const stubs = code.scorers.filter((s) => s.source === "stub").map((s) => s.name);
  return (
    <>
      <div className="row">
        <Segmented label="Language" value={lang} onChange={setLang} options={[["python", "Python"], ["typescript", "TypeScript"]]} />
        <CopyButton text={text} label="Copy code" />
      </div>
      <pre className="code" aria-label={`${lang} code`}>{text}</pre>
      <p className="subtle">Fill in the task{stubs.length ? ` and the scorers ${stubs.join(", ")} (not autoevals scorers)` : ""}, then run it with BRAINTRUST_API_URL pointing at this server.</p>
    </>
  );
}
