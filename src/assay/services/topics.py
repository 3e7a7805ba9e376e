"""Topics: cluster an experiment's traces into named groups, and label each trace with its topic.

What is clustered is, per trace, either the root's input as text or a facet's summary (the
output of the trace's facet span of that name, written by a scoring job). Without an embeddings
endpoint the texts become TF-IDF vectors (scikit-learn) and k-means groups them; with one
(`ASSAY_EMBEDDINGS_MODEL` on the LLM endpoint) the texts are embedded instead. Either way a topic
is named by its most distinctive TF-IDF terms (the largest weights of its centroid), so names
are words that occur in its traces.

Each trace gets one classifier span (a child of its root; `span_attributes` `{name: <topics
name>, type: "classifier", purpose: "scorer"}`) whose `classifications` hold its topic
`{id, label}` — the reference's shape — and `metadata.topics.distance`. The span's id is a hash
of (object, trace, topics name), so running topics again replaces each trace's label instead of
adding one. The job's `result` lists the topics with their counts and shares.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlglot import exp

from assay.model.errors import InvalidInput
from assay.model.objects import OBJECT_TYPES, utcnow
from assay.query import Source, parse_expression
from assay.query.expression import literal
from assay.query.parse import ParsedQuery
from assay.services import ingest
from assay.services.auth import Principal
from assay.services.context import Services
from assay.services.queries import run_parsed
from assay.services.scorers.runners import as_text
from assay.store.jobs import Job

NAMESPACE = uuid.UUID("0b6a3f9e-52d4-4c57-9d0e-7f3c2a1b8e44")
MAX_TRACES = 20_000
MAX_TEXT = 4000
EMBED_BATCH = 256
TERMS = 3


def _rows(svc: Services, spec: dict[str, Any], select: exp.Select, shape: str) -> list[dict[str, Any]]:
    source = Source(spec["object_type"], (spec["object_id"],), shape)
    return run_parsed(svc, ParsedQuery(select), source).rows


def texts_of(svc: Services, spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(the trace's root_span_id, its root span's span_id, text) per trace with something to
    cluster, oldest first. The two ids differ in what the SDK logs (a root span has its own
    span_id): the label span belongs to the trace and hangs under the root span."""
    limit = exp.Limit(expression=exp.Literal.number(MAX_TRACES + 1))
    roots = exp.select("id", "span_id", "root_span_id", "input").where(exp.column("is_root"))
    roots.set("limit", limit)
    found = {r["root_span_id"]: r for r in _rows(svc, spec, roots, "spans")}
    if len(found) > MAX_TRACES:
        raise InvalidInput(f"topics cluster at most {MAX_TRACES:,} traces; this object has more")
    if spec.get("facet"):
        # The facet spans a scoring job wrote (their `output` is the summary; `no_match` is nothing).
        facet = exp.select("root_span_id", "output").where(
            exp.and_(
                exp.EQ(this=parse_expression("span_attributes.type"), expression=literal("facet")),
                exp.EQ(this=parse_expression("span_attributes.name"), expression=literal(spec["facet"])),
                exp.Is(this=exp.column("error"), expression=exp.Null()),
            )
        )
        facet.set("limit", limit.copy())
        summaries = {r["root_span_id"]: as_text(r.get("output")) for r in _rows(svc, spec, facet, "spans")}
        pairs = [(root, summaries.get(root, "")) for root in found]
        pairs = [(root, text) for root, text in pairs if text and text != "no_match"]
        if not pairs:
            raise InvalidInput(
                f"no trace has a {spec['facet']!r} facet yet: score the traces with that facet first"
            )
    else:
        pairs = [(root, as_text(row.get("input"))) for root, row in found.items()]
        pairs = [(root, text) for root, text in pairs if text.strip()]
    return [(root, str(found[root]["span_id"]), text[:MAX_TEXT]) for root, text in pairs]


def default_k(n: int) -> int:
    return max(2, min(12, round(math.sqrt(n / 2))))


def cluster(
    texts: list[str], k: int | None, embed: Callable[[list[str]], list[list[float]]] | None
) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    """(topic of each text, distance to its centre, each topic's distinctive terms)."""
    k = min(k or default_k(len(texts)), len(texts))
    tfidf = TfidfVectorizer(stop_words="english", max_features=20_000, token_pattern=r"(?u)\b[^\W\d_]{2,}\b")
    try:
        weights = tfidf.fit_transform(texts)
    except ValueError:  # only stop words, or nothing that looks like a word
        raise InvalidInput("the texts have no words to cluster by") from None
    if embed is not None:
        vectors = np.asarray(
            [v for i in range(0, len(texts), EMBED_BATCH) for v in embed(texts[i : i + EMBED_BATCH])]
        )
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    else:
        vectors = weights
    model = KMeans(n_clusters=k, n_init=4, random_state=0).fit(vectors)
    labels = model.labels_
    distances = model.transform(vectors)[np.arange(len(texts)), labels]
    vocab = np.asarray(tfidf.get_feature_names_out())
    names: list[list[str]] = []
    for topic in range(k):
        members = weights[labels == topic]
        centroid = np.asarray(members.mean(axis=0)).ravel() if members.shape[0] else np.zeros(len(vocab))
        names.append([str(t) for t in vocab[np.argsort(-centroid)[:TERMS]] if centroid.size])
    return labels, distances, names


def _span(
    spec: dict[str, Any], job: Job, root: str, parent: str, topic: dict[str, Any], distance: float
) -> dict[str, Any]:
    name = spec["name"]
    sid = str(uuid.uuid5(NAMESPACE, f"{spec['object_type']}\x1f{spec['object_id']}\x1f{root}\x1f{name}"))
    row: dict[str, Any] = {
        "id": sid,
        "span_id": sid,
        "root_span_id": root,
        "span_parents": [parent],
        "created": utcnow().isoformat(),
        "span_attributes": {"name": name, "type": "classifier", "purpose": "scorer"},
        "classifications": {name: [{"id": topic["id"], "label": topic["label"]}]},
        "output": topic["label"],
        "metadata": {"topics": {"job_id": job.id, "distance": round(float(distance), 6)}},
        OBJECT_TYPES[spec["object_type"]].id_field: spec["object_id"],
    }
    if spec["object_type"] == "project_logs":
        row["log_id"] = "g"
    return row


def run_topics_job(
    svc: Services, who: Principal, job: Job, keep_going: Callable[[], bool]
) -> tuple[int, int]:
    """Cluster the object's traces, label each, and finish the job with the topics as its result."""
    spec = job.spec
    found = texts_of(svc, spec)
    if len(found) < 2:
        raise InvalidInput("topics need at least 2 traces with text to cluster")
    embed = svc.llm.embed if svc.llm.configured and svc.settings.embeddings_model else None
    labels, distances, names = cluster([t for _, _, t in found], spec.get("n_topics"), embed)
    counts = np.bincount(labels, minlength=len(names))
    topics: list[dict[str, Any]] = [
        {
            "id": f"topic-{i + 1}",
            "label": " / ".join(names[i]) or f"topic {i + 1}",
            "terms": names[i],
            "count": int(counts[i]),
            "share": float(counts[i]) / len(found),
        }
        for i in range(len(names))
    ]
    if not keep_going():
        return 0, 0
    rows = [
        _span(spec, job, root, parent, topics[int(t)], d)
        for (root, parent, _), t, d in zip(found, labels, distances, strict=True)
    ]
    for i in range(0, len(rows), 1000):
        ingest.write_rows(svc, who, rows[i : i + 1000])
    order = sorted(topics, key=lambda t: -t["count"])
    svc.store.jobs.complete(
        job.id,
        result={
            "name": spec["name"],
            "source": f"facet {spec['facet']}" if spec.get("facet") else "input",
            "method": "embeddings + k-means" if embed else "TF-IDF + k-means",
            "traces": len(found),
            "topics": order,
        },
    )
    return 1, 0  # the job's one item: the object
