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
  JARTERM_ST_COLLEAGUE  an on-call paediatrician in every area other than the user under test
                     (the runner adds one), to hand over to
"""

from __future__ import annotations

import os
import random
import uuid
from datetime import datetime, timedelta, timezone

import requests
import schemathesis
from schemathesis.core.parameters import ParameterLocation

URL = os.environ["JARTERM_ST_URL"].rstrip("/")
API = URL + "/api/v1"
TOKEN = os.environ["JARTERM_ST_TOKEN"]
SPARE = [t for t in os.environ.get("JARTERM_ST_SPARE", "").split(",") if t]
COLLEAGUE = os.environ.get("JARTERM_ST_COLLEAGUE", "")
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
    # Handovers the user may read (sent, received): their ids for `/handovers/{id}`.
    handovers = [h["id"] for h in _get("/handovers").json()["items"]]
    return {
        "handovers": handovers,
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


def _open_references() -> list[str]:
    """Open cases the user can see now (a withdrawal during the run closes one)."""
    response = _session.get(f"{API}/cases?active=true&limit=1000", timeout=10)
    if not response.ok:
        return []
    return [c["reference"] for c in response.json()["items"] if c.get("stage") != "closed"]


def _handover(hid) -> dict | None:
    response = _session.get(f"{API}/handovers/{hid}", timeout=10)
    return response.json() if response.ok else None


def _candidates(reference: str, slot: str) -> list[str] | None:
    """Who may fill a place on a case; None when the user may not assign."""
    response = _session.get(f"{API}/cases/{reference}/assignments/{slot}", timeout=10)
    return [c["username"] for c in response.json()] if response.ok else None


def _nhs_number(typed: str) -> str:
    """The typed NHS number with its last digit made the modulus-11 check digit of the first
    nine (NHS Data Dictionary, "NHS NUMBER"): the pattern states the shape, not the sum."""
    digits = [c for c in typed if c.isdigit()]
    if len(digits) != 10:
        return typed
    for attempt in range(11):
        head = [int(d) for d in digits[:9]]
        check = 11 - sum(d * w for d, w in zip(head, range(10, 1, -1))) % 11
        check = 0 if check == 11 else check
        if check != 10:
            break
        digits[0] = str((int(digits[0]) + 1) % 10)
    last = max(i for i, c in enumerate(typed) if c.isdigit())
    out = list(typed)
    seen = 0
    for i, c in enumerate(typed):
        if c.isdigit():
            out[i] = digits[seen]
            seen += 1
    out[last] = str(check)
    return "".join(out)


def _identity(identity, death_date: str | None) -> None:
    """An identity's rules that no schema states: the check digit, no absent reason beside a
    number, and a date of birth no later than the death."""
    if not isinstance(identity, dict):
        return
    nhs = identity.get("nhs_number")
    if isinstance(nhs, str) and nhs.strip():
        identity["nhs_number"] = _nhs_number(nhs)
        if identity.get("nhs_number_absent_reason") is not None:
            identity["nhs_number_absent_reason"] = None
    dob = identity.get("date_of_birth")
    if isinstance(dob, str) and death_date and dob > death_date:
        identity["date_of_birth"] = death_date


def _death_date(reference: str) -> str | None:
    response = _session.get(f"{API}/cases/{reference}", timeout=10)
    if not response.ok:
        return None
    times = response.json()["case"]["times"]
    found = [times.get(k) for k in ("death_confirmed_at", "found_at", "last_seen_at", "notified_at")]
    found = [t[:10] for t in found if t]
    return min(found) if found else None


def _ago(**delta) -> str:
    return (datetime.now(timezone.utc) - timedelta(**delta)).isoformat()


def _plausible_times(times) -> None:
    """Times that can be right (issue 14 §1, `jar_core::plausibility`): in the last hours, in
    order (last seen, found, confirmed), found given. What is plausible depends on the server's
    clock, which no schema can say; the server's 422s for the rest are tested in Rust."""
    if not isinstance(times, dict):
        return
    for key, hours in (("last_seen_at", 3), ("found_at", 2), ("death_confirmed_at", 1)):
        if times.get(key) is not None or key == "found_at":
            times[key] = _ago(hours=hours)


def _rule_ids(reference: str) -> list[str]:
    """The deadlines of a case as the user sees them (issue 14: `{rule}` of the n/a routes)."""
    response = _session.get(f"{API}/cases/{reference}", timeout=10)
    return [d["rule_id"] for d in response.json()["deadlines"]] if response.ok else []


def _event_ids(reference: str) -> list[int]:
    response = _session.get(f"{API}/cases/{reference}/timeline", timeout=10)
    return [e["id"] for e in response.json()["items"]] if response.ok else []


def _ids(reference: str, what: str) -> list[int]:
    response = _session.get(f"{API}/cases/{reference}/{what}", timeout=10)
    return [c["id"] for c in response.json()["items"]] if response.ok else []


def _review_body(body: dict) -> None:
    """A review-track patch the server's order rules accept: its times cleared (steps out of
    order and times in the future are 422 by design), a tissue decision only with tissue."""
    for part in body.values():
        if not isinstance(part, dict):
            continue
        for key in list(part):
            if key.endswith("_at") or key in ("at", "date"):
                part[key] = None
        if "tissue_decision" in part:
            part["tissue_decision"] = None
        if "kind" in part and part.get("kind") == "none":
            part["kind"] = None


LEGACY_MODES = {"via_interpreter", "attempted_no_answer"}


def _service_ids(reference: str) -> list[str]:
    response = _session.get(f"{API}/cases/{reference}/contacts", timeout=10)
    if response.status_code != 200:
        return []
    categories = response.json().get("catalogue", {}).get("category", [])
    return [s["id"] for c in categories for s in c.get("service", [])]


def _contact_body(body: dict, reference: str) -> None:
    body.pop("support_offered", None)
    # A correction says "no contact planned" or gives a new date, not both (422 otherwise).
    if body.get("no_next_contact") is True:
        body["next_contact_due"] = None
    if body.get("mode") in LEGACY_MODES:
        body["mode"] = "phone"
    support = body.get("support")
    if isinstance(support, list):
        ids = _service_ids(reference)
        random.shuffle(ids)
        # One entry per service, each a real one.
        del support[len(ids):]
        for entry, service in zip(support, ids):
            if isinstance(entry, dict):
                entry["service"] = service


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
            # Issue 16: question and involvement ids for their steps, else a contact's.
            if "/questions/" in path:
                ids = _ids(params["reference"], "questions")
            elif "/involvements/" in path:
                ids = _ids(params["reference"], "involvements")
            else:
                ids = _contact_ids(params["reference"])
            if ids:
                params["id"] = random.choice(ids)
        if "id" in params and path.startswith("/api/v1/handovers/"):
            ids = STATE["handovers"]
            if path.endswith("/acknowledgements"):
                # Only the incoming colleague acknowledges: a handover sent to the user.
                me = STATE["me"]["username"]
                ids = [i for i in ids if (_handover(i) or {}).get("incoming") == me] or ids
            if ids:
                params["id"] = random.choice(ids)
        if "slot" in params and "reference" in params:
            # A case the user may assign on, if there is one (a manager, or its lead).
            for reference in random.sample(STATE["references"], min(8, len(STATE["references"]))):
                if _candidates(reference, params["slot"]) is not None:
                    params["reference"] = reference
                    break
        if "rule" in params and "reference" in params:
            rules = _rule_ids(params["reference"])
            if rules:
                params["rule"] = random.choice(rules)
    reference = params.get("reference")

    # Headers: a fresh Idempotency-Key, the current If-Match.
    headers = case.headers if case.headers is not None else {}
    if _valid(case, ParameterLocation.HEADER):
        if "Idempotency-Key" in headers or (
            method == "POST" and any(p.name == "Idempotency-Key" for p in op.headers)
        ):
            headers["Idempotency-Key"] = str(uuid.uuid4())
        if "If-Match" in headers and reference and _valid(case, ParameterLocation.PATH):
            if "item" in params:
                current = _item_version(reference, params["template"], params["item"])
            else:
                # Every other conditional write is of the case: its ETag.
                current = _etag(f"/cases/{reference}")
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
            times = body.get("times") if isinstance(body.get("times"), dict) else {}
            # The server's time of death: confirmed, else found, else now (`check_duplicates`).
            _plausible_times(times)
            death = times.get("death_confirmed_at") or times.get("found_at")
            today = datetime.now(timezone.utc).date().isoformat()
            _identity(body.get("identity"), death[:10] if isinstance(death, str) else today)
        if method == "PATCH" and path == "/api/v1/cases/{reference}":
            _plausible_times(body.get("times"))
        if method == "POST" and path.endswith("/timeline") and isinstance(body.get("occurred_at"), str):
            # After the case's times above (the demo's are older), before now.
            body["occurred_at"] = _ago(minutes=30)
        if method == "POST" and path.endswith("/contacts"):
            if isinstance(body.get("occurred_at"), str):
                body["occurred_at"] = _ago(minutes=20)
            if isinstance(body.get("next_contact_due"), str):
                body["next_contact_due"] = _ago(days=-7)
        if method == "PUT" and "item" in params and body.get("taken_at") is not None and reference:
            # When a step was done (a sample taken): a minute ago, which the server takes unless
            # the child was last seen or found later than that (then no time at all).
            taken = datetime.now(timezone.utc) - timedelta(minutes=1)
            response = _session.get(f"{API}/cases/{reference}", timeout=10)
            times = response.json()["case"]["times"] if response.ok else {}
            bounds = [times.get(k) for k in ("last_seen_at", "found_at")]
            late = [t for t in bounds if t and datetime.fromisoformat(t.replace("Z", "+00:00")) > taken]
            body["taken_at"] = None if late else taken.isoformat().replace("+00:00", "Z")
        if method == "PUT" and path.endswith("/identity") and reference:
            _identity(body, _death_date(reference))
        if path.endswith("/duplicates") and reference:
            others = [r for r in STATE["references"] if r != reference]
            if others:
                body["duplicate"] = random.choice(others)
        if "slot" in params and method == "PUT" and reference and body.get("username") is not None:
            names = _candidates(reference, params["slot"])
            if names:
                body["username"] = random.choice(names)
        if method == "POST" and path == "/api/v1/handovers":
            if COLLEAGUE:
                body["incoming"] = COLLEAGUE
            entries = body.get("entries")
            if isinstance(entries, list):
                open_refs = _open_references()
                random.shuffle(open_refs)
                # Each case once: as many entries as there are open cases.
                del entries[len(open_refs):]
                for entry, ref in zip(entries, open_refs):
                    if isinstance(entry, dict):
                        entry["reference"] = ref
        if path.endswith("/acknowledgements") and isinstance(body.get("cases"), list) and params.get("id"):
            handover = _handover(params["id"])
            refs = [c["entry"]["reference"] for c in handover["cases"]] if handover else []
            body["cases"] = random.sample(refs, min(len(body["cases"]), len(refs)))
        if method == "POST" and path.endswith("/users") and "areas" in body:
            body["areas"] = STATE["me"]["areas"][:1]
        if method == "PATCH" and path.endswith("/review"):
            _review_body(body)
        if method == "POST" and path.endswith("/questions") and reference:
            contacts = _contact_ids(reference)
            if body.get("from_contact") is not None:
                body["from_contact"] = random.choice(contacts) if contacts else None
        if path.endswith("/steps") and "/questions/" in path:
            if not str(body.get("note", "")).strip():
                body["note"] = "Answer drafted for the family."
        if path.endswith("/steps") and "/involvements/" in path:
            now = datetime.now(timezone.utc)
            body["at"] = (now - timedelta(days=1)).isoformat().replace("+00:00", "Z")
            if "due_by" in body:
                body["due_by"] = (now + timedelta(days=27)).isoformat().replace("+00:00", "Z")
        if path.endswith("/timeline") and body.get("kind") == "cdop_review_completed":
            # Closing needs feedback to the family or a reason (issue 16 §4).
            if not str(body.get("note", "")).strip():
                body["note"] = "Closed without feedback: the family asked for no further contact."
        if method == "POST" and (path.endswith("/contacts") or path.endswith("/amendments")) and reference:
            # Issue 16 §1: v1's shapes are read from old records only, and a service must be
            # in the case area's catalogue (the contact log lists it).
            _contact_body(body, reference)
            if isinstance(body.get("correct"), dict):
                _contact_body(body["correct"], reference)
        if path.endswith("/timeline") and body.get("kind") == "correction" and reference:
            events = _event_ids(reference)
            if events:
                body["corrects"] = random.choice(events)
