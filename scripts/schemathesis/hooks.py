"""Schemathesis hooks for the jarterm case API (issue 13, section 3; docs/api.md).

Schemathesis generates requests from `/api/v1/openapi.json`. A request it generates *valid* for a
part (path, headers, body) must be accepted, so for those parts this file supplies what no schema
can: real case references, items and contacts the signed-in user can see, a fresh
`Idempotency-Key` for every write, the current `If-Match` version, a correction's target event,
an area the user works in and a cursor the server gave out. Parts generated *invalid* are left
alone: the server must refuse them.

Run by `scripts/schemathesis/run`, which passes, in the environment:
  JARTERM_ST_URL     the server, e.g. http://127.0.0.1:18471
  JARTERM_ST_TOKEN   a bearer token of the user under test
  JARTERM_ST_SPARE   spare tokens of the same user, comma-separated, for `DELETE /session`
                     (signing out revokes the token it is sent with)
  JARTERM_ST_SEED    the run's seed, so that the choices made here repeat too
"""

from __future__ import annotations

import os
import random
import uuid

import requests
import schemathesis
from schemathesis.core.parameters import ParameterLocation

URL = os.environ["JARTERM_ST_URL"].rstrip("/")
API = URL + "/api/v1"
TOKEN = os.environ["JARTERM_ST_TOKEN"]
SPARE = [t for t in os.environ.get("JARTERM_ST_SPARE", "").split(",") if t]
# Sent to `DELETE /session` once the spares are used up: a token that never existed (401).
NEVER_ISSUED = "never-issued-" + uuid.uuid4().hex

random.seed(os.environ.get("JARTERM_ST_SEED", "0"))
_session = requests.Session()
_session.headers["Authorization"] = f"Bearer {TOKEN}"


def _get(path: str) -> requests.Response:
    response = _session.get(API + path, timeout=10)
    response.raise_for_status()
    return response


def _load() -> dict:
    """What the user under test can see, read once before the run."""
    me = _get("/me").json()
    page = _get("/cases?limit=1000").json()
    references = [c["reference"] for c in page["items"]]
    assert references, "the demo server must seed cases the user can see"
    cursor = _get("/cases?limit=1").json().get("next_cursor")
    agency = {
        "paediatrician": "health",
        "police": "police",
        "social_worker": "social_care",
        "key_worker": "key_worker",
        "manager": "cdr_office",
    }[me["role"]]
    templates = {t["id"]: t for t in _get("/templates").json()["templates"]}
    # (reference, template, item) of items on started checklists that this role may change.
    items = []
    for reference in references[:12]:
        for view in _get(f"/cases/{reference}/checklists").json()["checklists"]:
            for entry in view["items"]:
                owners = entry["item"]["owners"]
                if agency in owners or me["role"] == "manager":
                    items.append((reference, view["template"], entry["item"]["id"]))
    assert templates
    # Cases with a timeline event, for corrections (which must name one).
    with_events = [r for r in references[:12] if _get(f"/cases/{r}/timeline").json()["items"]]
    return {
        "me": me,
        "references": references,
        "with_events": with_events or references,
        "cursor": cursor,
        "items": items,
    }


STATE = _load()


def _reference() -> str:
    return random.choice(STATE["references"])


def _etag(path: str) -> str | None:
    response = _session.get(API + path, timeout=10)
    return response.headers.get("ETag") if response.ok else None


def _item_version(reference: str, template: str, item: str) -> str | None:
    response = _session.get(f"{API}/cases/{reference}/checklists", timeout=10)
    if not response.ok:
        return None
    for view in response.json()["checklists"]:
        if view["template"] != template:
            continue
        for entry in view["items"]:
            if entry["item"]["id"] == item:
                return f'"{entry["state"]["version"]}"'
    return None


def _event_ids(reference: str) -> list[int]:
    response = _session.get(f"{API}/cases/{reference}/timeline", timeout=10)
    return [e["id"] for e in response.json()["items"]] if response.ok else []


def _contact_ids(reference: str) -> list[int]:
    response = _session.get(f"{API}/cases/{reference}/contacts", timeout=10)
    return [c["id"] for c in response.json()["items"]] if response.ok else []


@schemathesis.auth()
class Bearer:
    """The user's token on every request; a spare one for `DELETE /session`, which revokes it."""

    def get(self, case, context):
        return TOKEN

    def set(self, case, data, context):
        token = data
        if case.operation.method.upper() == "DELETE" and case.operation.path.endswith("/session"):
            token = SPARE.pop() if SPARE else NEVER_ISSUED
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {token}"


def _valid(case, location: ParameterLocation) -> bool:
    meta = case.meta
    if meta is None:
        return True
    return not meta.is_negative_at(location)


@schemathesis.hook
def before_call(context, case, **kwargs):
    op = case.operation
    method, path = op.method.upper(), op.path
    params = case.path_parameters if case.path_parameters is not None else {}

    # Paths: a case (and item, contact) the user can see.
    if params and _valid(case, ParameterLocation.PATH):
        if "item" in params and STATE["items"]:
            reference, template, item = random.choice(STATE["items"])
            params.update(reference=reference, template=template, item=item)
        elif "reference" in params:
            correction = (
                path.endswith("/timeline")
                and isinstance(case.body, dict)
                and case.body.get("kind") == "correction"
                and _valid(case, ParameterLocation.BODY)
            )
            params["reference"] = random.choice(STATE["with_events"]) if correction else _reference()
        if "id" in params and "reference" in params:
            ids = _contact_ids(params["reference"])
            if ids:
                params["id"] = random.choice(ids)
    reference = params.get("reference")

    # Headers: a fresh Idempotency-Key, the current If-Match.
    headers = case.headers if case.headers is not None else {}
    if _valid(case, ParameterLocation.HEADER):
        if "Idempotency-Key" in headers or (
            method == "POST" and any(p.name == "Idempotency-Key" for p in op.headers)
        ):
            headers["Idempotency-Key"] = str(uuid.uuid4())
        if "If-Match" in headers and reference and _valid(case, ParameterLocation.PATH):
            if method == "PATCH":
                current = _etag(f"/cases/{reference}")
            else:
                current = _item_version(reference, params["template"], params["item"])
            if current:
                headers["If-Match"] = current
    if headers:
        case.headers = headers

    # Query: a cursor the server gave out, an area it knows.
    query = case.query
    if query and path.endswith("/cases") and _valid(case, ParameterLocation.QUERY):
        if "cursor" in query:
            if STATE["cursor"]:
                query["cursor"] = STATE["cursor"]
            else:
                del query["cursor"]
        if "area" in query:
            query["area"] = random.choice(STATE["me"]["areas"])

    # Bodies: what the server checks against its data.
    body = case.body
    if isinstance(body, dict) and _valid(case, ParameterLocation.BODY):
        if method == "POST" and path == "/api/v1/cases":
            body["area"] = random.choice(STATE["me"]["areas"])
        if method == "POST" and path.endswith("/users") and "areas" in body:
            body["areas"] = STATE["me"]["areas"][:1]
        if path.endswith("/timeline") and body.get("kind") == "correction" and reference:
            events = _event_ids(reference)
            if events:
                body["corrects"] = random.choice(events)
