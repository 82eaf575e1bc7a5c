"""Who may call which booths route, as data (``ocop_shared.authz``): the gate every route
passes (``Caller``), the README's "Who may do what" and the generated matrix test.

Reach beyond the role is the handlers' business: an organizer reaches its own fairs (its
staff act for it: the principal's subject is the organizer's id), an exhibitor its own
applications, holds and statement; a record out of reach answers 404 and changes nothing.
Where the route names a record besides the fair (a booth in the path or body, an exhibitor in
the body or query), that record must belong to the fair in the path (``fair_scoped``):
another fair's, even the caller's own other fair's, answers 404 too.

Certifying and inspection authorities and tills have no business with booths (403). The
admin reaches everything organizers do, but holds booths only through the exhibitor's own
credentials (a hold is the exhibitor's act)."""

from __future__ import annotations

from collections.abc import Mapping

from ocop_shared.authz import ROLES, AuthorizationTable, Reach, Rule

# The fair's organizer (owner or staff), or the platform's admin.
ORGANIZER: Mapping[str, Reach] = {"admin": "any", "organizer": "own"}
# The exhibitor itself (owner or staff of the holder or delegation).
EXHIBITOR: Mapping[str, Reach] = {"exhibitor": "own"}
AT_FAIR = "the booth at the fair in the path"

TABLE = AuthorizationTable(
    "booths",
    [
        Rule("PUT /fairs/{fair_id}/floorplan", ORGANIZER, note="while no booth is taken"),
        Rule(
            "GET /fairs/{fair_id}/floorplan",
            {**ORGANIZER, "exhibitor": "any"},
            note="exhibitors see free/taken and their own booths, not who holds the others",
        ),
        Rule(
            "POST /fairs/{fair_id}/booths/{booth_id}/block",
            ORGANIZER,
            fair_scoped=True,
            note=AT_FAIR,
        ),
        Rule(
            "POST /fairs/{fair_id}/booths/{booth_id}/unblock",
            ORGANIZER,
            fair_scoped=True,
            note=AT_FAIR,
        ),
        Rule(
            "POST /fairs/{fair_id}/booths/{booth_id}/move",
            ORGANIZER,
            fair_scoped=True,
            note="both booths at the fair in the path",
        ),
        Rule(
            "POST /fairs/{fair_id}/booths/{booth_id}/swap",
            ORGANIZER,
            fair_scoped=True,
            note="both booths at the fair in the path",
        ),
        Rule(
            "GET /fairs/{fair_id}/booths/{booth_id}/history",
            ORGANIZER,
            fair_scoped=True,
            note=AT_FAIR,
        ),
        Rule("POST /fairs/{fair_id}/allocations", ORGANIZER, note="a proposal changes nothing"),
        Rule("GET /allocations/{run_id}", ORGANIZER, note="the run's fair"),
        Rule("POST /allocations/{run_id}/commit", ORGANIZER, note="the run's fair"),
        Rule("GET /fairs/{fair_id}/waitlist", ORGANIZER),
        Rule(
            "POST /fairs/{fair_id}/holds",
            EXHIBITOR,
            fair_scoped=True,
            note="an approved application at the fair; the booth at that fair",
        ),
        Rule(
            "DELETE /fairs/{fair_id}/holds/{booth_id}",
            EXHIBITOR,
            fair_scoped=True,
            note="its own hold, at the fair in the path",
        ),
        Rule(
            "PUT /fairs/{fair_id}/choices",
            EXHIBITOR,
            fair_scoped=True,
            note="an approved application at a ranked fair; booths of that fair",
        ),
        Rule(
            "GET /fairs/{fair_id}/choices",
            EXHIBITOR,
            note="its own choices, an application at the fair",
        ),
        Rule(
            "GET /fairs/{fair_id}/my-booths",
            EXHIBITOR,
            note="an application at the fair",
        ),
        Rule(
            "GET /fairs/{fair_id}/fees",
            {**ORGANIZER, **EXHIBITOR},
            fair_scoped=True,
            note="the exhibitor (`exhibitor_id`) has an application at the fair",
        ),
        Rule(
            "POST /fairs/{fair_id}/payments",
            ORGANIZER,
            fair_scoped=True,
            note="the exhibitor (`exhibitor_id`) has an application at the fair",
        ),
        Rule(
            "POST /fairs/{fair_id}/payments/statement",
            ORGANIZER,
            note="only the fair's payment references match",
        ),
        Rule(
            "GET /fairs/{fair_id}/payments/unmatched",
            ORGANIZER,
            note="the lines of the fair's statements no payment was found for",
        ),
    ],
    # The retailer (issue 15) is covered: no booths route grants it anything yet (a
    # promotion week's stands and shelves are the organizer's), so it is 403 everywhere.
    roles=ROLES,
)
