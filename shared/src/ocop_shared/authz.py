"""Who may do what to whose record: each service's authorization table, as data.

A service declares one ``Rule`` per route: which roles may call it and how far their reach
goes (``any`` record, their ``own`` organization's records, or the records in their
``jurisdiction`` as an authority), or that it is ``public``, or that it is called with a
``key`` of its own rather than anyone's credential (a webhook: the route checks the key, and a
key reaches only its owner's records). The table is the single gate:

- ``Caller`` (a route dependency) authenticates the request and lets it through only if the
  table grants the caller's role that route (403 otherwise; 401 without a valid credential);
  ``OptionalCaller`` does the same for public routes that show more to a signed-in caller;
- ``create_app`` refuses to build an app with a route the table does not cover, or a rule for
  a route that does not exist, and writes each route's rule into its OpenAPI description;
- the README shows the table (``markdown``), checked by the canvas test;
- ``matrix`` generates the test cases: every route x role x relation (own record, another
  organization's, another fair's), with the status the table implies.

Reach beyond the role is the handler's business (it loads the record, then checks it is the
caller's): a record out of reach answers 404, exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ocop_shared import auth, ratelimit

Reach = Literal["any", "own", "jurisdiction", "public", "key"]
REACHES: dict[str, str] = {
    "any": "any record",
    "own": "its organization's records (an organizer: its fairs and what is in them)",
    "jurisdiction": "the records of its province and level",
    "public": "anyone, signed in or not",
    "key": "whoever sends the route's own key (Authorization: Apikey), never a person's or a "
    "till's credential; a key reaches only its owner's records",
}
# The matrix's caller of a ``key`` route: sends the key of the record's owner ("own"), or of
# another organization ("other_org"), instead of a role's credential.
KEY_HOLDER = "key"
ROLES: tuple[auth.Role, ...] = (
    "admin",
    "organizer",
    "exhibitor",
    "certifier",
    "inspector",
    "terminal",
    "retailer",
)
# The roles a table covers unless it names its own (``AuthorizationTable.roles``): every role
# before the retailer (issue 15). A table that grants the retailer anything covers ROLES, so
# its README table gets the column and its generated matrix the retailer's cases; a service
# whose table does not (yet) name it refuses a retailer everywhere (403: no rule grants it).
CORE_ROLES: tuple[auth.Role, ...] = ROLES[:6]
Relation = Literal["own", "other_org", "other_fair"]
Expected = Literal["allowed", "unauthenticated", "forbidden", "missing", "ignored"]
STATUS_OF: dict[Expected, int | None] = {
    "allowed": None,  # anything but 401, 403 and 404
    # Accepted but without effect on the record: a webhook called with another organization's
    # key answers as usual (the provider must not learn anything) and changes nothing of ours.
    "ignored": None,
    "unauthenticated": 401,
    "forbidden": 403,
    "missing": 404,
}


@dataclass(frozen=True, slots=True)
class Rule:
    """``route`` is ``"METHOD /path/{param}"`` as the app declares it."""

    route: str
    who: Mapping[str, Reach]  # role -> reach; {"anyone": "public"} for a public route,
    # {"anyone": "key"} for one called with a key of its own (a webhook), checked by the route
    owners_only: bool = False  # only an owner of the organization (not its staff)
    fair_scoped: bool = False  # a fair in the path: another fair's record answers 404
    note: str = ""

    @property
    def method(self) -> str:
        return self.route.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return self.route.split(" ", 1)[1]

    @property
    def public(self) -> bool:
        return self.who.get("anyone") == "public"

    @property
    def keyed(self) -> bool:
        return self.who.get("anyone") == "key"

    def reach(self, role: str) -> Reach | None:
        if self.public:
            return "public"
        if self.keyed:
            return "key" if role == KEY_HOLDER else None
        return self.who.get(role)

    def describe(self) -> str:
        if self.public:
            text = "public"
        elif self.keyed:
            text = f"no role: {REACHES['key']}"
        else:
            text = "; ".join(f"{role}: {REACHES[reach]}" for role, reach in self.who.items())
        if self.owners_only:
            text += " (owners of the organization only)"
        return text


@dataclass(frozen=True)
class AuthorizationTable:
    service: str
    rules: Sequence[Rule]
    roles: Sequence[str] = CORE_ROLES  # the README's columns and the matrix's roles
    _by_route: dict[tuple[str, str], Rule] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_route: dict[tuple[str, str], Rule] = {}
        for rule in self.rules:
            key = (rule.method, rule.path)
            if key in by_route:
                raise ValueError(f"{self.service}: two rules for {rule.route}")
            for role in rule.who:
                if role != "anyone" and role not in self.roles:
                    known = "unknown" if role not in ROLES else "uncovered (not in roles)"
                    raise ValueError(f"{self.service}: {known} role {role!r} in {rule.route}")
            by_route[key] = rule
        object.__setattr__(self, "_by_route", by_route)

    def with_rules(self, other: Iterable[Rule]) -> AuthorizationTable:
        return AuthorizationTable(self.service, [*self.rules, *other], self.roles)

    def rule(self, method: str, path: str) -> Rule | None:
        return self._by_route.get((method, path))

    def check_covers(self, routes: Iterable[tuple[str, APIRoute]]) -> None:
        """Every route has a rule and every rule a route, or the app does not start."""
        declared = {(m, p) for p, r in routes for m in (r.methods or set()) - {"HEAD", "OPTIONS"}}
        missing = sorted(f"{m} {p}" for m, p in declared - set(self._by_route))
        stale = sorted(f"{m} {p}" for m, p in set(self._by_route) - declared)
        if missing or stale:
            raise RuntimeError(
                f"{self.service}: authorization table out of date; "
                f"routes without a rule: {missing}; rules without a route: {stale}"
            )

    def describe_routes(self, routes: Iterable[tuple[str, APIRoute]]) -> None:
        """Writes each route's rule into its OpenAPI description."""
        for path, route in routes:
            for method in (route.methods or set()) - {"HEAD", "OPTIONS"}:
                rule = self.rule(method, path)
                if rule is not None:
                    who = f"**Who may call it:** {rule.describe()}."
                    route.description = f"{route.description}\n\n{who}".strip()

    def markdown(self) -> str:
        lines = [
            "| route | " + " | ".join(self.roles) + " | note |",
            "|---|" + "---|" * len(self.roles) + "---|",
        ]
        for rule in sorted(self.rules, key=lambda r: (r.path, r.method)):
            cells = []
            for role in self.roles:
                reach = rule.reach(role)
                cell: str = reach or "–"
                if reach and rule.owners_only and not rule.public:
                    cell += " (owner)"
                cells.append(cell)
            note = rule.note or ("public" if rule.public else "")
            if rule.keyed:
                note = f"its own key (`Authorization: Apikey`), no role's credential; {note}"
            lines.append(f"| `{rule.route}` | " + " | ".join(cells) + f" | {note} |")
        return "\n".join(lines)


def api_routes(routes: Iterable[object], prefix: str = "") -> list[tuple[str, APIRoute]]:
    """Every API route with its full path. (FastAPI keeps an included router as a wrapper in
    ``app.routes``, holding the router and the prefix it was included with.)"""
    found: list[tuple[str, APIRoute]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append((prefix + route.path, route))
        elif hasattr(route, "original_router") and hasattr(route, "include_context"):
            inner = prefix + str(route.include_context.prefix or "")
            found.extend(api_routes(route.original_router.routes, inner))
    return found


# The platform's own routes, in every service.
PLATFORM_RULES: tuple[Rule, ...] = (
    Rule("GET /health", {"anyone": "public"}, note="status for people and dashboards"),
    Rule("GET /health/live", {"anyone": "public"}, note="liveness probe"),
    Rule("GET /health/ready", {"anyone": "public"}, note="readiness probe"),
    Rule("GET /metrics", {"anyone": "public"}, note="Prometheus; restrict by network"),
    Rule("GET /admin/dead-letters", {"admin": "any"}),
    Rule("GET /admin/dead-letters/{letter_id}", {"admin": "any"}),
    Rule("POST /admin/dead-letters/{letter_id}/replay", {"admin": "any"}),
    Rule("POST /admin/dead-letters/{letter_id}/discard", {"admin": "any"}),
)


def expected(rule: Rule, role: str, relation: Relation, org_role: str = "owner") -> Expected:
    """What the table says a caller in ``role`` (or ``"anonymous"``) gets for a record in
    ``relation`` to it."""
    # Another fair's record named under this fair's path is not there, whoever asks.
    if rule.public:
        return "missing" if relation == "other_fair" else "allowed"
    if rule.keyed:
        # Every role's credential is refused as no key; the owner's key works, another
        # organization's key is accepted and reaches nothing of the owner's.
        if role != KEY_HOLDER:
            return "unauthenticated"
        return "allowed" if relation == "own" else "ignored"
    if role == "anonymous":
        return "unauthenticated"
    reach = rule.reach(role)
    if reach is None:
        return "forbidden"
    if rule.owners_only and org_role != "owner" and role != "admin":
        return "forbidden"
    if relation == "own" or (reach == "any" and relation != "other_fair"):
        return "allowed"
    return "missing"


@dataclass(frozen=True, slots=True)
class Case:
    rule: Rule
    role: str  # a role, or "anonymous"
    relation: Relation
    org_role: str
    expected: Expected

    @property
    def id(self) -> str:
        staff = "" if self.org_role == "owner" else "-staff"
        return f"{self.rule.route} as {self.role}{staff} on {self.relation}"


def matrix(
    table: AuthorizationTable,
    roles: Sequence[str] | None = None,
    *,
    staff_roles: Sequence[str] = (),
) -> list[Case]:
    """Every rule x role x relation (``other_fair`` only where the path names a fair), and the
    same for a staff member of each role in ``staff_roles`` (staff act for their organization,
    except on owner-only routes). ``roles``: the table's roles and anonymous, unless given."""
    if roles is None:
        roles = (*table.roles, "anonymous")
    cases: list[Case] = []
    for rule in table.rules:
        relations: list[Relation] = ["own", "other_org"]
        if rule.fair_scoped:
            relations.append("other_fair")
        for role in [*roles, KEY_HOLDER] if rule.keyed else roles:
            for relation in relations:
                cases.append(Case(rule, role, relation, "owner", expected(rule, role, relation)))
            if role in staff_roles:
                for relation in relations:
                    staff_expected = expected(rule, role, relation, "staff")
                    cases.append(Case(rule, role, relation, "staff", staff_expected))
    return cases


_bearer = HTTPBearer(auto_error=False)


def _rule_of(request: Request) -> Rule:
    route = request.scope.get("route")
    table: AuthorizationTable = request.app.state.authorization
    rule = table.rule(request.method, getattr(route, "path_format", getattr(route, "path", "")))
    if rule is None:  # create_app makes this impossible; refuse rather than allow
        raise HTTPException(status_code=403, detail="no authorization rule for this route")
    return rule


async def _authenticate(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> auth.Principal | None:
    if credentials is None:
        return None
    from ocop_shared.service import Service  # the service module imports this one

    service: Service = request.app.state.service
    principal = await service.principal(credentials.credentials)
    if principal is None:
        # Guessing tokens from one address is throttled (429) like guessing passwords.
        await ratelimit.enforce(request, "failed_auth")
        raise HTTPException(
            status_code=401,
            detail="invalid, expired or revoked credential",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def _admit(rule: Rule, principal: auth.Principal) -> auth.Principal:
    if rule.public:
        return principal
    if rule.reach(principal.role) is None:
        raise HTTPException(status_code=403, detail=f"not for the {principal.role} role")
    if rule.owners_only and not (principal.is_owner or principal.is_admin):
        raise HTTPException(status_code=403, detail="only an owner of the organization may")
    return principal


async def authorized(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> auth.Principal:
    """The caller, if the authorization table lets its role call this route."""
    rule = _rule_of(request)
    principal = await _authenticate(request, credentials)
    if principal is None:
        raise HTTPException(
            status_code=401, detail="missing bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
    _bind(principal)
    return _admit(rule, principal)


async def maybe_authorized(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> auth.Principal | None:
    """For public routes that show more to a signed-in caller: None when anonymous. A
    credential that is present but invalid still answers 401 (it is a mistake to report)."""
    rule = _rule_of(request)
    principal = await _authenticate(request, credentials)
    if principal is None:
        if not rule.public:
            raise HTTPException(
                status_code=401,
                detail="missing bearer token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return None
    _bind(principal)
    return _admit(rule, principal)


def _bind(principal: auth.Principal) -> None:
    import structlog

    structlog.contextvars.bind_contextvars(
        principal=f"{principal.role}:{principal.subject}", user=principal.user_id
    )


Caller = Annotated[auth.Principal, Depends(authorized)]
OptionalCaller = Annotated[auth.Principal | None, Depends(maybe_authorized)]
