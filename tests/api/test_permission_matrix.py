"""Every route of the app, called as an owner, an engineer, a viewer, a member without project
access ("outsider") and an anonymous caller: the status each gets, and no existence leaks.

The route list comes from the app itself, so a new route without an entry in MATRIX fails
`test_every_route_has_a_matrix_entry` with the line to add. An entry says what each caller gets:
200 (allowed), 403 (may see it, may not do it), 404 (may not even see it: exactly what an unknown
id gets, checked by calling the same route with an id that does not exist), 401 (not signed in).
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Mount

from assay.server.app import create_app, wrap
from assay.server.settings import Settings
from assay.services.auth import issue_api_key
from assay.store import open_store
from tests.conftest import database_url
from tests.team import ROLES, Person, make_team

pytestmark = pytest.mark.slow

# Expectations by role, in ROLES order: owner, engineer, viewer, outsider, anonymous.
PUBLIC = dict(zip(ROLES, (200, 200, 200, 200, 200), strict=True))
MEMBERS = dict(zip(ROLES, (200, 200, 200, 200, 401), strict=True))  # anything a member sees
READ = dict(zip(ROLES, (200, 200, 200, 404, 401), strict=True))  # a project's contents
WRITE = dict(zip(ROLES, (200, 200, 403, 404, 401), strict=True))  # change a project's contents
CREATE_PROJECT = dict(zip(ROLES, (200, 200, 403, 403, 401), strict=True))
OWNERS = dict(zip(ROLES, (200, 403, 403, 403, 401), strict=True))  # members and access
OWN_KEY = dict(zip(ROLES, (200, 200, 404, 404, 401), strict=True))  # the engineer's own key
ACCESS = dict(zip(ROLES, (200, 403, 403, 404, 401), strict=True))  # the ACLs on a project

_n = itertools.count()


@dataclass
class World:
    """What the owner made before the matrix runs (ids by name), and a way to make more."""

    client: TestClient
    owner: Person
    team: dict[str, Person]
    ids: dict[str, str] = field(default_factory=dict)

    def post(self, path: str, body: Any) -> dict[str, Any]:
        res = self.client.post(path, json=body, headers=self.owner.headers)
        assert res.status_code == 200, res.text
        out: dict[str, Any] = res.json()
        return out

    def view_ref(self) -> dict[str, str]:
        return {"object_type": "project", "object_id": self.ids["project"]}

    def acl_item(self) -> dict[str, Any]:
        """A grant on the project to a group of its own (so it is new, and changes nobody's access)."""
        group = self.fresh("group")
        return {
            "object_type": "project",
            "object_id": self.ids["project"],
            "group_id": group,
            "permission": "read",
        }

    def function_body(self) -> dict[str, Any]:
        name = f"scorer-{next(_n)}"
        return {
            "project_id": self.ids["project"],
            "name": name,
            "function_data": {"type": "sql", "expression": "1"},
        }

    def aggregate_body(self) -> dict[str, Any]:
        name = f"aggregate-{next(_n)}"
        return {
            "project_id": self.ids["project"],
            "name": name,
            "score_type": "minimum",
            "categories": ["a", "b"],
        }

    def granted(self) -> dict[str, Any]:
        """The content of an ACL the owner has just placed."""
        item = self.acl_item()
        self.post("/v1/acl", item)
        return item

    def fresh(self, kind: str) -> str:
        """A new object of `kind` in the project, for routes that destroy what they act on."""
        name = f"fresh-{next(_n)}"
        if kind == "project":
            return str(self.post("/v1/project", {"name": name})["id"])
        if kind == "view":
            return str(
                self.post("/v1/view", {**self.view_ref(), "view_type": "experiment", "name": name})["id"]
            )
        if kind == "project_score":
            return str(self.post("/v1/project_score", self.aggregate_body())["id"])
        if kind == "function":
            return str(self.post("/v1/function", self.function_body())["id"])
        if kind == "job":
            return str(self.post("/v1/job", {"object_id": self.ids["experiment"], "scorers": [SCORER]})["id"])
        if kind in ("role", "group"):
            return str(self.post(f"/v1/{kind}", {"name": name})["id"])
        if kind == "acl":
            return str(self.post("/v1/acl", self.acl_item())["id"])
        if kind == "api_key":
            store = inner_app(self.client).state.services.store
            org = store.ensure_org("local")
            return issue_api_key(store, org.id, self.team["engineer"].user_id, name)[0].id
        return str(self.post(f"/v1/{kind}", {"project_id": self.ids["project"], "name": name})["id"])


Value = Any | Callable[[World], Any]


@dataclass
class Case:
    expect: dict[str, int]
    path: dict[str, Value] = field(default_factory=dict)  # path parameter -> value
    params: Value = None
    json: Value = None
    headers: Value = None
    ghost: dict[str, Value] | None = None  # how to name something that does not exist, if not by path
    hidden: tuple[str, ...] = ()  # ids an outsider's 200 answer must not contain


def ref(name: str) -> Callable[[World], str]:
    return lambda w: w.ids[name]


def fresh(kind: str) -> Callable[[World], str]:
    return lambda w: w.fresh(kind)


def unique_email(_: World) -> dict[str, Any]:
    return {"invite_users": {"emails": [f"invitee-{next(_n)}@example.com"], "group_name": "Viewers"}}


P, E, D = {"project_id": ref("project")}, {"experiment_id": ref("experiment")}, {"dataset_id": ref("dataset")}
OBJ_E, OBJ_D, OBJ_P = ({"object_id": ref(k)} for k in ("experiment", "dataset", "project"))
ROW = lambda w: {"events": [{"id": f"matrix-row-{next(_n)}", "input": "x"}]}  # noqa: E731
FEEDBACK = lambda w: {"feedback": [{"id": "row-0", "comment": "ok"}]}  # noqa: E731
TABLE = {"row_type": "traces"}
COMPARED = lambda w: {"row_type": "traces", "experiment_ids": [w.ids["base"]]}  # noqa: E731
SECRET = ("project", "experiment", "dataset")
VIEW = {"view_id": ref("view")}
GHOST_TS = {"json": {"project_id": str(uuid.uuid4()), "experiment_name": "ts", "dataset_name": "ts"}}
NONE_KEPT = {**dict.fromkeys(ROLES, 404), "anonymous": 401}  # objects Assay does not keep
GHOST_PROJECT = {
    "params": {"object_type": "project", "object_id": str(uuid.uuid4()), "view_type": "experiment"}
}
# The same body, naming a project that does not exist.
GHOST_BODY = {
    "json": {
        "object_type": "project",
        "object_id": str(uuid.uuid4()),
        "view_type": "experiment",
        "name": "m",
        "scope": "project",
        "view_id": str(uuid.uuid4()),
    }
}
ANALYSIS = "/v1/experiment/{experiment_id}/analysis"
NO_LLM = dict(zip(ROLES, (400, 400, 400, 404, 401), strict=True))
SCORER = {"type": "global", "name": "ExactMatch"}
GHOST_AGGREGATE = {
    "json": {
        "project_id": str(uuid.uuid4()),
        "name": "agg",
        "score_type": "minimum",
        "categories": ["a", "b"],
    }
}
GHOST_FUNCTION = {
    "json": {
        "project_id": str(uuid.uuid4()),
        "name": "f",
        "function_data": {"type": "sql", "expression": "1"},
    }
}
# A grant on a project that does not exist.
GHOST_ACL = {
    "json": {
        "object_type": "project",
        "object_id": str(uuid.uuid4()),
        "group_id": str(uuid.uuid4()),
        "permission": "read",
    }
}
OTLP_SPAN = {
    "resourceSpans": [
        {
            "scopeSpans": [
                {
                    "spans": [
                        {
                            "traceId": "5b8efff798038103d269b633813fc60c",
                            "spanId": "eee19b7ec3c1b174",
                            "name": "op",
                            "startTimeUnixNano": "1700000000000000000",
                            "endTimeUnixNano": "1700000001000000000",
                        }
                    ]
                }
            ]
        }
    ]
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}
MCP_INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-03-26",
        "capabilities": {},
        "clientInfo": {"name": "matrix", "version": "1"},
    },
}


def mcp_refusal(status: int) -> dict[str, int]:
    return {**dict.fromkeys(ROLES, status), "anonymous": 401}


TRACE = "/v1/{object_type}/{object_id}/trace/{root_span_id}"
TRACE_PATH = {"object_type": "experiment", "object_id": ref("experiment"), "root_span_id": "s0"}
# Reading a row's review needs read on the rows; reviewing writes to them, so it needs update
# (the reference's rule for feedback and merge inserts; docs/review.md).
REVIEW = "/v1/{object_type}/{object_id}/review"
REVIEW_PATH = {"object_type": "experiment", "object_id": ref("experiment")}

MATRIX: dict[tuple[str, str], Case] = {
    # the reference SDK's routes
    ("POST", "/api/apikey/login"): Case(MEMBERS),
    ("POST", "/api/base_experiment/get_id"): Case(
        READ, json=lambda w: {"id": w.ids["experiment"]}, ghost={"json": {"id": str(uuid.uuid4())}}
    ),
    ("GET", "/version"): Case(PUBLIC),
    ("POST", "/logs3"): Case(
        WRITE,
        json=lambda w: {"rows": [{"id": f"r{next(_n)}", "experiment_id": w.ids["experiment"], "input": 1}]},
        ghost={"json": {"rows": [{"id": "r", "experiment_id": str(uuid.uuid4()), "input": 1}]}},
    ),
    ("GET", "/v1/project"): Case(MEMBERS, hidden=SECRET),
    ("POST", "/v1/project"): Case(CREATE_PROJECT, json={"name": "made-by-the-matrix"}),
    ("GET", "/v1/project/{project_id}"): Case(READ, P),
    ("PATCH", "/v1/project/{project_id}"): Case(WRITE, P, json={"description": "patched"}),
    ("DELETE", "/v1/project/{project_id}"): Case(WRITE, {"project_id": fresh("project")}),
    ("POST", "/v1/project_logs/{object_id}/insert"): Case(WRITE, OBJ_P, json=ROW),
    ("GET", "/v1/project_logs/{object_id}/fetch"): Case(READ, OBJ_P),
    ("POST", "/v1/project_logs/{object_id}/fetch"): Case(READ, OBJ_P, json={}),
    ("POST", "/v1/project_logs/{object_id}/feedback"): Case(WRITE, OBJ_P, json=FEEDBACK),
    ("GET", "/v1/experiment"): Case(MEMBERS, hidden=SECRET),
    ("POST", "/v1/experiment"): Case(
        WRITE,
        json=lambda w: {"project_id": w.ids["project"], "name": "made-by-the-matrix"},
        ghost={"json": {"project_id": str(uuid.uuid4()), "name": "x"}},
    ),
    ("GET", "/v1/experiment/{experiment_id}"): Case(READ, E),
    ("PATCH", "/v1/experiment/{experiment_id}"): Case(WRITE, E, json={"description": "patched"}),
    ("DELETE", "/v1/experiment/{experiment_id}"): Case(WRITE, {"experiment_id": fresh("experiment")}),
    ("GET", "/v1/experiment/{experiment_id}/summarize"): Case(READ, E),
    ("POST", "/v1/experiment/{object_id}/insert"): Case(WRITE, OBJ_E, json=ROW),
    ("GET", "/v1/experiment/{object_id}/fetch"): Case(READ, OBJ_E),
    ("POST", "/v1/experiment/{object_id}/fetch"): Case(READ, OBJ_E, json={}),
    ("POST", "/v1/experiment/{object_id}/feedback"): Case(WRITE, OBJ_E, json=FEEDBACK),
    ("GET", "/v1/dataset"): Case(MEMBERS, hidden=SECRET),
    ("POST", "/v1/dataset"): Case(
        WRITE,
        json=lambda w: {"project_id": w.ids["project"], "name": "made-by-the-matrix"},
        ghost={"json": {"project_id": str(uuid.uuid4()), "name": "x"}},
    ),
    ("GET", "/v1/dataset/{dataset_id}"): Case(READ, D),
    ("PATCH", "/v1/dataset/{dataset_id}"): Case(WRITE, D, json={"description": "patched"}),
    ("DELETE", "/v1/dataset/{dataset_id}"): Case(WRITE, {"dataset_id": fresh("dataset")}),
    ("GET", "/v1/dataset/{dataset_id}/summarize"): Case(READ, D),
    ("POST", "/v1/dataset/{object_id}/insert"): Case(WRITE, OBJ_D, json=ROW),
    ("GET", "/v1/dataset/{object_id}/fetch"): Case(READ, OBJ_D),
    ("POST", "/v1/dataset/{object_id}/fetch"): Case(READ, OBJ_D, json={}),
    ("POST", "/v1/dataset/{object_id}/feedback"): Case(WRITE, OBJ_D, json=FEEDBACK),
    ("POST", "/btql"): Case(
        READ,
        json=lambda w: {"query": f"SELECT id FROM experiment('{w.ids['experiment']}')"},
        ghost={"json": {"query": f"SELECT id FROM experiment('{uuid.uuid4()}')"}},
    ),
    # the web app's routes
    ("GET", "/v1/organization"): Case(MEMBERS),
    ("GET", "/v1/project/{project_id}/experiments"): Case(READ, P),
    ("GET", "/v1/object/resolve"): Case(
        READ,
        params=lambda w: {"object_type": "experiment", "object_id": w.ids["experiment"]},
        ghost={"params": {"object_type": "experiment", "object_id": str(uuid.uuid4())}},
    ),
    ("POST", "/v1/experiment/{experiment_id}/table"): Case(READ, E, json=TABLE),
    ("POST", "/v1/experiment/{experiment_id}/table/count"): Case(READ, E, json=TABLE),
    ("POST", "/v1/experiment/{experiment_id}/table/groups"): Case(READ, E, json={"group_by": "metadata.x"}),
    ("POST", "/v1/experiment/{experiment_id}/table/summary"): Case(
        READ, E, json={"filters": ["scores.a > 0"]}
    ),
    ("POST", "/v1/experiment/{experiment_id}/table/check"): Case(
        READ, E, json={"kind": "filter", "text": "scores.a > 0"}
    ),
    ("GET", "/v1/experiment/{experiment_id}/table/views"): Case(READ, E),
    ("GET", "/v1/experiment/{experiment_id}/table/fields"): Case(READ, E),
    ("POST", "/v1/experiment/{experiment_id}/export"): Case(READ, E, json={"format": "json"}),
    # comparisons (the base experiment's project is the same one)
    ("GET", "/v1/experiment/{experiment_id}/compare"): Case(
        READ, E, params=lambda w: {"with": w.ids["base"]}
    ),
    ("GET", "/v1/experiment/{experiment_id}/compare/histograms"): Case(
        READ, E, params=lambda w: {"with": w.ids["base"]}
    ),
    ("POST", "/v1/experiment/{experiment_id}/compare/summary"): Case(READ, E, json=lambda w: COMPARED(w)),
    ("POST", "/v1/experiment/{experiment_id}/compare/histograms"): Case(READ, E, json=lambda w: COMPARED(w)),
    ("POST", "/v1/experiment/{experiment_id}/compare/rows"): Case(READ, E, json=lambda w: COMPARED(w)),
    ("POST", "/v1/experiment/{experiment_id}/compare/count"): Case(READ, E, json=lambda w: COMPARED(w)),
    ("POST", "/v1/experiment/{experiment_id}/compare/groups"): Case(
        READ, E, json=lambda w: {**COMPARED(w), "group_by": "metadata.x"}
    ),
    # the trace view
    ("GET", TRACE): Case(READ, TRACE_PATH),
    ("GET", TRACE + "/span/{span_id}"): Case(READ, {**TRACE_PATH, "span_id": "s0"}),
    ("GET", TRACE + "/search"): Case(READ, TRACE_PATH, params={"q": "x"}),
    ("GET", TRACE + "/spans"): Case(READ, TRACE_PATH),
    ("GET", REVIEW): Case(READ, REVIEW_PATH, params={"id": "row-0"}),
    ("POST", REVIEW): Case(WRITE, REVIEW_PATH, json={"id": "row-0", "complete": True}),
    ("POST", "/v1/{object_type}/{object_id}/span_names"): Case(
        READ, {"object_type": "experiment", "object_id": ref("experiment")}, json={"span_ids": ["s0"]}
    ),
    # the MCP server (its tools decide on each object: tests/mcp); the key is checked first
    ("POST", "/mcp"): Case(MEMBERS, json=MCP_INIT, headers=MCP_HEADERS),
    # stateless: no event stream to open (406), no session to end (405), once the key is good
    ("GET", "/mcp"): Case(mcp_refusal(406), headers={"Accept": "application/json"}),
    ("DELETE", "/mcp"): Case(mcp_refusal(405), headers={"Accept": "application/json"}),
    # OpenTelemetry ingest (its errors are OTLP Status bodies)
    ("POST", "/otel/v1/traces"): Case(
        WRITE,
        json=lambda w: OTLP_SPAN,
        headers=lambda w: {"x-bt-parent": f"experiment_id:{w.ids['experiment']}"},
        ghost={"headers": {"x-bt-parent": f"experiment_id:{uuid.uuid4()}"}},
    ),
    # people
    ("POST", "/api/session"): Case(
        {**MEMBERS, "anonymous": 400}, json=lambda w: {"api_key": w.ids.get("caller_key")}
    ),
    ("GET", "/api/session"): Case(MEMBERS),
    ("DELETE", "/api/session"): Case(MEMBERS, params={"everywhere": "true"}),
    ("POST", "/api/link/inspect"): Case(dict.fromkeys(ROLES, 404), json={"token": "not-a-link"}),
    ("POST", "/api/link/accept"): Case(
        dict.fromkeys(ROLES, 404), json={"token": "not-a-link", "password": "x" * 9}
    ),
    ("GET", "/v1/user"): Case(MEMBERS),
    ("GET", "/v1/user/{user_id}"): Case(MEMBERS, {"user_id": lambda w: w.team["viewer"].user_id}),
    ("GET", "/v1/organization/members"): Case(MEMBERS),
    ("PATCH", "/v1/organization/members"): Case(OWNERS, json=unique_email),
    ("GET", "/v1/api_key"): Case(MEMBERS),
    ("POST", "/v1/api_key"): Case(MEMBERS, json={"name": "matrix"}),
    ("GET", "/v1/api_key/{key_id}"): Case(OWN_KEY, {"key_id": ref("engineer_key")}),
    ("DELETE", "/v1/api_key/{key_id}"): Case(OWN_KEY, {"key_id": fresh("api_key")}),
    # scorers, scoring jobs and the analysis assistant
    ("GET", "/v1/function"): Case(MEMBERS, hidden=("function",)),
    ("POST", "/v1/function"): Case(WRITE, json=lambda w: w.function_body(), ghost=GHOST_FUNCTION),
    ("PUT", "/v1/function"): Case(WRITE, json=lambda w: w.function_body(), ghost=GHOST_FUNCTION),
    ("GET", "/v1/function/{function_id}"): Case(READ, {"function_id": ref("function")}),
    ("PATCH", "/v1/function/{function_id}"): Case(
        WRITE, {"function_id": ref("function")}, json={"description": "patched"}
    ),
    ("DELETE", "/v1/function/{function_id}"): Case(WRITE, {"function_id": fresh("function")}),
    ("GET", "/v1/function_builtin"): Case(MEMBERS),
    ("GET", "/v1/llm"): Case(MEMBERS),
    ("POST", "/v1/job"): Case(
        WRITE,
        json=lambda w: {"object_id": w.ids["experiment"], "scorers": [SCORER]},
        ghost={"json": {"object_id": str(uuid.uuid4()), "scorers": [SCORER]}},
    ),
    ("GET", "/v1/job"): Case(MEMBERS, hidden=("job",)),
    ("GET", "/v1/job/{job_id}"): Case(READ, {"job_id": ref("job")}),
    ("POST", "/v1/job/{job_id}/cancel"): Case(WRITE, {"job_id": fresh("job")}),
    ("POST", ANALYSIS + "/slices"): Case(READ, E, json={}),
    ("POST", ANALYSIS + "/errors"): Case(READ, E, json={}),
    ("POST", ANALYSIS + "/agreement"): Case(READ, E, json={}),
    ("POST", ANALYSIS + "/code"): Case(READ, E, json={"dataset_name": "ds"}),
    ("POST", ANALYSIS + "/changes"): Case(READ, E, json={}),
    # the chat agent: no LLM is configured here, so those who may chat learn that (400)
    ("POST", "/v1/experiment/{experiment_id}/assistant/chat"): Case(NO_LLM, E, json={"message": "hi"}),
    ("GET", "/v1/project/{project_id}/assistant/conversations"): Case(READ, P),
    ("GET", "/v1/assistant/conversation/{conversation_id}"): Case(NONE_KEPT, {"conversation_id": "c"}),
    ("GET", "/v1/project_score"): Case(MEMBERS, hidden=("project_score",)),
    ("POST", "/v1/project_score"): Case(WRITE, json=lambda w: w.aggregate_body(), ghost=GHOST_AGGREGATE),
    ("PUT", "/v1/project_score"): Case(WRITE, json=lambda w: w.aggregate_body(), ghost=GHOST_AGGREGATE),
    ("GET", "/v1/project_score/{project_score_id}"): Case(READ, {"project_score_id": ref("project_score")}),
    ("PATCH", "/v1/project_score/{project_score_id}"): Case(
        WRITE, {"project_score_id": ref("project_score")}, json={"description": "patched"}
    ),
    ("DELETE", "/v1/project_score/{project_score_id}"): Case(
        WRITE, {"project_score_id": fresh("project_score")}
    ),
    ("POST", ANALYSIS + "/dataset"): Case(
        WRITE, E, json=lambda w: {"selection": {"ids": ["row-0"]}, "dataset_name": f"from-rows-{next(_n)}"}
    ),
    # access control: ACLs on the project, the organization's roles and groups
    ("GET", "/v1/acl"): Case(
        ACCESS,
        params=lambda w: {"object_type": "project", "object_id": w.ids["project"]},
        ghost={"params": {"object_type": "project", "object_id": str(uuid.uuid4())}},
    ),
    ("POST", "/v1/acl"): Case(ACCESS, json=lambda w: w.acl_item(), ghost=GHOST_ACL),
    ("DELETE", "/v1/acl"): Case(ACCESS, json=lambda w: w.granted(), ghost=GHOST_ACL),
    ("POST", "/v1/acl/batch_update"): Case(
        ACCESS,
        json=lambda w: {"add_acls": [w.acl_item()]},
        ghost={"json": {"add_acls": [GHOST_ACL["json"]]}},
    ),
    ("GET", "/v1/acl/list_org"): Case(OWNERS),
    ("GET", "/v1/acl/{acl_id}"): Case(ACCESS, {"acl_id": ref("acl")}),
    ("DELETE", "/v1/acl/{acl_id}"): Case(ACCESS, {"acl_id": fresh("acl")}),
    ("GET", "/v1/role"): Case(MEMBERS),
    ("POST", "/v1/role"): Case(OWNERS, json=lambda w: {"name": f"role-{next(_n)}"}),
    ("PUT", "/v1/role"): Case(OWNERS, json=lambda w: {"name": f"role-{next(_n)}"}),
    ("GET", "/v1/role/{role_id}"): Case(MEMBERS, {"role_id": ref("role")}),
    ("PATCH", "/v1/role/{role_id}"): Case(OWNERS, {"role_id": ref("role")}, json={"description": "d"}),
    ("DELETE", "/v1/role/{role_id}"): Case(OWNERS, {"role_id": fresh("role")}),
    ("GET", "/v1/group"): Case(MEMBERS),
    ("POST", "/v1/group"): Case(OWNERS, json=lambda w: {"name": f"group-{next(_n)}"}),
    ("PUT", "/v1/group"): Case(OWNERS, json=lambda w: {"name": f"group-{next(_n)}"}),
    ("GET", "/v1/group/{group_id}"): Case(MEMBERS, {"group_id": ref("group")}),
    ("PATCH", "/v1/group/{group_id}"): Case(OWNERS, {"group_id": ref("group")}, json={"description": "d"}),
    ("DELETE", "/v1/group/{group_id}"): Case(OWNERS, {"group_id": fresh("group")}),
    # the TypeScript SDK's and bt's routes
    ("POST", "/api/experiment/register"): Case(
        WRITE, json=lambda w: {"project_id": w.ids["project"], "experiment_name": "ts"}, ghost=GHOST_TS
    ),
    ("POST", "/api/experiment/get"): Case(
        READ, json=lambda w: {"project_id": w.ids["project"]}, ghost=GHOST_TS
    ),
    ("POST", "/api/dataset/register"): Case(
        WRITE, json=lambda w: {"project_id": w.ids["project"], "dataset_name": "ts"}, ghost=GHOST_TS
    ),
    ("POST", "/api/project/register"): Case(CREATE_PROJECT, json={"project_name": "made-by-the-matrix"}),
    ("GET", "/api/project"): Case(
        READ, params=lambda w: {"id": w.ids["project"]}, ghost={"params": {"id": str(uuid.uuid4())}}
    ),
    ("POST", "/api/self/get_object_info"): Case(
        MEMBERS,
        json=lambda w: {"object_type": "experiment", "object_ids": [w.ids["experiment"]]},
        hidden=SECRET,
    ),
    ("GET", "/experiment-comparison2"): Case(
        READ,
        params=lambda w: {"experiment_id": w.ids["experiment"]},
        ghost={"params": {"experiment_id": str(uuid.uuid4())}},
    ),
    ("GET", "/dataset-summary"): Case(
        READ,
        params=lambda w: {"dataset_id": w.ids["dataset"]},
        ghost={"params": {"dataset_id": str(uuid.uuid4())}},
    ),
    ("GET", "/v1/prompt"): Case(MEMBERS),
    ("GET", "/v1/prompt/{object_id}"): Case(NONE_KEPT, {"object_id": "p"}),
    ("POST", "/function/invoke"): Case(NONE_KEPT),
    ("POST", "/api/ai_secret/get"): Case(MEMBERS),
    # attachments: decided on the organization; the signed URLs are their own credential
    ("POST", "/attachment"): Case(
        CREATE_PROJECT,
        json=lambda w: {"key": f"matrix-{next(_n)}", "filename": "a.txt", "content_type": "text/plain"},
    ),
    ("POST", "/attachment/status"): Case(
        CREATE_PROJECT,
        json={"key": "matrix-attachment", "status": {"upload_status": "error", "error_message": "x"}},
    ),
    ("GET", "/attachment"): Case(
        MEMBERS, params={"key": "matrix-attachment", "filename": "a.txt", "content_type": "text/plain"}
    ),
    ("PUT", "/attachment/upload"): Case(dict.fromkeys(ROLES, 403), params={"token": "forged"}),
    ("GET", "/attachment/download"): Case(dict.fromkeys(ROLES, 403), params={"token": "forged"}),
    # saved views and default views
    ("GET", "/v1/view"): Case(
        READ, params=lambda w: {**w.view_ref(), "view_type": "experiment"}, ghost=GHOST_PROJECT
    ),
    ("POST", "/v1/view"): Case(
        WRITE, json=lambda w: {**w.view_ref(), "view_type": "experiment", "name": "m"}, ghost=GHOST_BODY
    ),
    ("PUT", "/v1/view"): Case(
        WRITE, json=lambda w: {**w.view_ref(), "view_type": "experiment", "name": "m"}, ghost=GHOST_BODY
    ),
    ("GET", "/v1/view/{view_id}"): Case(READ, VIEW, params=lambda w: w.view_ref(), ghost=GHOST_PROJECT),
    ("PATCH", "/v1/view/{view_id}"): Case(
        WRITE, VIEW, json=lambda w: {**w.view_ref(), "options": {"layout": "grid"}}, ghost=GHOST_BODY
    ),
    ("DELETE", "/v1/view/{view_id}"): Case(
        WRITE, {"view_id": fresh("view")}, json=lambda w: w.view_ref(), ghost=GHOST_BODY
    ),
    ("GET", "/v1/view_default"): Case(
        READ, params=lambda w: {**w.view_ref(), "view_type": "experiment"}, ghost=GHOST_PROJECT
    ),
    ("PUT", "/v1/view_default"): Case(
        WRITE,
        json=lambda w: {
            **w.view_ref(),
            "view_type": "experiment",
            "scope": "project",
            "view_id": w.ids["view"],
        },
        ghost=GHOST_BODY,
    ),
    ("DELETE", "/v1/view_default"): Case(
        WRITE,
        json=lambda w: {**w.view_ref(), "view_type": "experiment", "scope": "project"},
        ghost=GHOST_BODY,
    ),
    ("GET", "/v1/permissions"): Case(READ, params=lambda w: w.view_ref(), ghost=GHOST_PROJECT),
    # served outside the API schema
    ("GET", "/openapi.json"): Case(PUBLIC),
    ("GET", "/docs"): Case(PUBLIC),
    ("GET", "/docs/assets/start.js"): Case(PUBLIC),
    ("GET", "/docs/assets/{name}"): Case(PUBLIC, {"name": "swagger-ui.css"}),
    ("GET", "/"): Case({**PUBLIC}),
    ("GET", "/app"): Case({**PUBLIC}),
    ("GET", "/app/{path:path}"): Case(PUBLIC, {"path:path": "p/anything"}),  # pages: tests/browser
}


def inner_app(client: TestClient) -> FastAPI:
    """The FastAPI app inside the layers `wrap` puts around it."""
    app: Any = client.app
    while not isinstance(app, FastAPI):
        app = app.app
    return app


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route and mount the app serves (HEAD aside)."""
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            original = getattr(route, "original_router", None)
            if original is not None:
                walk(original.routes, prefix + route.include_context.prefix)
            elif isinstance(route, Mount):
                found.add(("MOUNT", prefix + route.path))
            elif getattr(route, "methods", None):
                found.update((m, prefix + route.path) for m in route.methods if m != "HEAD")

    walk(app.routes, "")
    return found


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, db_backend: str, request: pytest.FixtureRequest
) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("matrix")
    settings = Settings(data_dir=tmp, db_url=database_url(request, db_backend, "matrix"))
    store = open_store(settings.resolved_db_url())
    team = make_team(store)
    with TestClient(wrap(create_app(settings, store), settings)) as client:
        w = World(client, team["owner"], team)
        w.ids["project"] = w.post("/v1/project", {"name": "alpha"})["id"]
        base = w.post("/v1/experiment", {"project_id": w.ids["project"], "name": "base"})["id"]
        exp = w.post("/v1/experiment", {"project_id": w.ids["project"], "name": "exp", "base_exp_id": base})
        w.ids["experiment"], w.ids["base"] = exp["id"], base
        w.ids["dataset"] = w.post("/v1/dataset", {"project_id": w.ids["project"], "name": "ds"})["id"]
        for kind, oid in (
            ("experiment", exp["id"]),
            ("dataset", w.ids["dataset"]),
            ("project_logs", w.ids["project"]),
        ):
            row = {"id": "row-0", "span_id": "s0", "root_span_id": "s0", "input": "x", "scores": {"a": 1}}
            w.post(f"/v1/{kind}/{oid}/insert", {"events": [row]})
        w.ids["view"] = w.fresh("view")
        w.ids["role"], w.ids["group"], w.ids["acl"] = w.fresh("role"), w.fresh("group"), w.fresh("acl")
        w.ids["function"], w.ids["job"] = w.fresh("function"), w.fresh("job")
        w.ids["project_score"] = w.fresh("project_score")
        w.post("/attachment", {"key": "matrix-attachment", "filename": "a.txt", "content_type": "text/plain"})
        org = store.ensure_org("local")
        w.ids["engineer_key"] = issue_api_key(store, org.id, team["engineer"].user_id, "listed")[0].id
        yield w
    store.close()


def _value(v: Value, w: World) -> Any:
    return v(w) if callable(v) else v


def call(w: World, method: str, path: str, case: Case, who: Person, ghost: bool = False) -> Any:
    values = {name: _value(v, w) for name, v in case.path.items()}
    if ghost and case.ghost is None:  # the same call naming objects that do not exist
        values = {name: str(uuid.uuid4()) if callable(case.path[name]) else v for name, v in values.items()}
    url = path
    for name, value in values.items():
        url = url.replace("{" + name + "}", value)
    overrides = (case.ghost or {}) if ghost else {}
    w.ids["caller_key"] = who.key
    params = _value(overrides.get("params", case.params), w)
    body = _value(overrides.get("json", case.json), w)
    w.client.cookies.clear()  # each call is made by exactly one caller: no session left over
    extra = _value(overrides.get("headers", case.headers), w) or {}
    kw: dict[str, Any] = {"headers": {**who.headers, **extra}, "params": params}
    if body is not None:
        kw["json"] = body
    return w.client.request(method, url, **kw)


def test_every_route_has_a_matrix_entry(world: World) -> None:
    routes = app_routes(inner_app(world.client))
    missing = sorted(routes - set(MATRIX))
    assert not missing, (
        "routes without a permission-matrix entry; add one to MATRIX in tests/api/test_permission_matrix.py "
        "saying what an owner, engineer, viewer, member without project access and anonymous caller get, e.g.\n"
        + "\n".join(f'    ("{m}", "{p}"): Case(READ, ...),' for m, p in missing)
    )
    stale = sorted(set(MATRIX) - routes)
    assert not stale, f"MATRIX entries for routes the app no longer has: {stale}"


def _scrub(message: str, ids: list[str]) -> str:
    for i in ids:
        message = message.replace(i, "<id>")
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", message)


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_each_caller_gets_what_the_matrix_says(world: World, method: str, path: str) -> None:
    case = MATRIX[(method, path)]
    got = {}
    answers = {}
    for role in reversed(ROLES):  # the least allowed first: nothing they do changes what others see
        res = call(world, method, path, case, world.team[role])
        got[role] = res.status_code
        answers[role] = res
    assert got == case.expect, {r: (got[r], answers[r].text[:200]) for r in ROLES if got[r] != case.expect[r]}
    if case.hidden and got["outsider"] == 200:
        text = answers["outsider"].text
        leaked = [name for name in case.hidden if world.ids[name] in text]
        assert not leaked, f"the outsider's answer names {leaked}"
    if case.expect["outsider"] == 404 and (case.path or case.ghost):
        ghost = call(world, method, path, case, world.owner, ghost=True)
        assert ghost.status_code == 404, ghost.text
        secret = list(world.ids.values())
        assert _scrub(_message(answers["outsider"]), secret) == _scrub(_message(ghost), secret), (
            "an outsider can tell a hidden object from one that does not exist"
        )


def _message(res: Any) -> str:
    body = res.json()
    return str(body["error"]["message"] if "error" in body else body.get("message"))
