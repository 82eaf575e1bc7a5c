"""Registration's authorization table: who may call each route, and how far their reach goes.

The table is the gate (``ocop_shared.authz``): a role it does not name gets 403, a caller
without a valid credential 401. Reach is the handler's: ``own`` records are the caller's
organization's (an exhibitor itself; an organizer's fairs and what was submitted to them), a
council's ``jurisdiction`` is its province and level (3-4★ of its province's holders, or 5★
anywhere for the central council); anything else answers 404 and changes nothing. A route
that names no record of anyone's (creating one, listing the caller's own, an import whose rows
are judged one by one) has reach ``any``: its note says what it reaches.
The README's "Who may do what" is ``TABLE.markdown()``; ``tests/test_authorization_matrix.py``
runs every route x role x relation against the app."""

from __future__ import annotations

from collections.abc import Mapping

from ocop_shared.authz import ROLES, AuthorizationTable, Reach, Rule

PUBLIC: Mapping[str, Reach] = {"anyone": "public"}
# identity (H1): people signed in, and the members of an organization (the admin: any).
PEOPLE: Mapping[str, Reach] = {
    "admin": "own",
    "organizer": "own",
    "exhibitor": "own",
    "certifier": "own",
    "inspector": "own",
    "retailer": "own",
}
MEMBERS: Mapping[str, Reach] = {**PEOPLE, "admin": "any"}

TABLE = AuthorizationTable(
    "registration",
    [
        # identity (H1)
        Rule("POST /exhibitors", PUBLIC, note="sign-up of a holder or a delegation"),
        Rule("POST /sessions", PUBLIC, note="sign in (throttled per login)"),
        Rule("POST /invitations/accept", PUBLIC, note="a one-time code; answers a session"),
        Rule("POST /password-resets", PUBLIC, note="a one-time code from an owner or the admin"),
        Rule("GET /session", PEOPLE, note="a person's own session"),
        Rule("DELETE /session", PEOPLE, note="sign out"),
        Rule("POST /session/sign-out-everywhere", PEOPLE, note="every session of the person"),
        Rule("POST /session/password", PEOPLE, note="ends the person's other sessions"),
        Rule("POST /organizations", {"admin": "any"}, note="organizers, authorities, retailers"),
        Rule("GET /organizations/{organization_id}", MEMBERS, note="with its members"),
        Rule("GET /organizations/{organization_id}/members", MEMBERS),
        Rule(
            "DELETE /organizations/{organization_id}/members/{user_id}",
            MEMBERS,
            note="an owner removes anyone but the last owner; staff may leave",
        ),
        Rule(
            "POST /organizations/{organization_id}/members/{user_id}/reset-code",
            MEMBERS,
            owners_only=True,
        ),
        Rule("POST /organizations/{organization_id}/invitations", MEMBERS, owners_only=True),
        Rule("GET /organizations/{organization_id}/invitations", MEMBERS, owners_only=True),
        Rule(
            "DELETE /organizations/{organization_id}/invitations/{invitation_id}",
            MEMBERS,
            owners_only=True,
        ),
        Rule(
            "POST /organizations/{organization_id}/api-keys",
            MEMBERS,
            owners_only=True,
            note="a key acts as staff",
        ),
        Rule("GET /organizations/{organization_id}/api-keys", MEMBERS, owners_only=True),
        Rule(
            "DELETE /organizations/{organization_id}/api-keys/{key_id}",
            MEMBERS,
            owners_only=True,
        ),
        Rule(
            "POST /organizations/{organization_id}/suspension",
            {"admin": "any"},
            note="every credential revoked",
        ),
        Rule("DELETE /organizations/{organization_id}/suspension", {"admin": "any"}),
        # fairs
        Rule("POST /fairs", {"organizer": "any"}, note="a draft of the caller's organization"),
        Rule("GET /fairs", PUBLIC, note="fairs that have opened"),
        Rule(
            "GET /organizer/fairs",
            {"organizer": "any", "admin": "any"},
            note="the caller's fairs, drafts too (the admin: all)",
        ),
        Rule(
            "GET /fairs/{fair_id}",
            PUBLIC,
            note="not drafts, but to the fair's organizer and the admin",
        ),
        Rule(
            "PATCH /fairs/{fair_id}",
            {"organizer": "own", "admin": "any"},
            note="name, venue, province, dates; a draft or an open fair",
        ),
        Rule("POST /fairs/{fair_id}/lifecycle", {"organizer": "own", "admin": "any"}),
        Rule("PUT /fairs/{fair_id}/rules", {"organizer": "own", "admin": "any"}),
        # exhibitors
        Rule(
            "GET /exhibitors",
            {"organizer": "any", "admin": "any"},
            note="an organizer finds the exhibitors that applied to its fairs",
        ),
        Rule(
            "GET /directory/exhibitors",
            PUBLIC,
            note="name, kind, province, certified products; no tax code, phone or address",
        ),
        Rule(
            "GET /exhibitors/{exhibitor_id}",
            {"exhibitor": "own", "organizer": "own", "admin": "any"},
            note="an organizer: exhibitors that applied to one of its fairs",
        ),
        Rule(
            "PATCH /exhibitors/{exhibitor_id}",
            {"exhibitor": "own", "admin": "any"},
            note="the bank account: an owner of the exhibitor only (staff, keys, admin: 403)",
        ),
        Rule(
            "GET /banks",
            PUBLIC,
            note="NAPAS member banks (BIN, short and full name) for the bank account's form",
        ),
        Rule(
            "POST /exhibitors/{delegation_id}/members",
            {"exhibitor": "own"},
            owners_only=True,
            note="a delegation invites holders (pending until accepted)",
        ),
        Rule(
            "GET /exhibitors/{exhibitor_id}/memberships",
            {"exhibitor": "own"},
            note="a delegation's members and invitations; a holder's delegations",
        ),
        Rule(
            "POST /exhibitors/{holder_id}/delegations/{delegation_id}/accept",
            {"exhibitor": "own"},
            owners_only=True,
            note="only the invited holder",
        ),
        Rule(
            "POST /exhibitors/{holder_id}/delegations/{delegation_id}/decline",
            {"exhibitor": "own"},
            owners_only=True,
            note="only the invited holder",
        ),
        Rule(
            "DELETE /exhibitors/{delegation_id}/members/{holder_id}",
            {"exhibitor": "own"},
            owners_only=True,
            note="either side: the delegation, or the member holder leaving",
        ),
        # products and certificates
        Rule("POST /products", {"exhibitor": "any"}, note="a holder's own products"),
        Rule(
            "GET /product-groups",
            PUBLIC,
            note="the OCOP product groups per classification, in Vietnamese and English",
        ),
        Rule("GET /products", PUBLIC, note="the catalogue"),
        Rule("GET /products/{product_id}", PUBLIC),
        Rule(
            "PATCH /products/{product_id}",
            {"exhibitor": "own"},
            note="its holder; never certificate fields",
        ),
        Rule(
            "POST /products/{product_id}/certificates",
            {"certifier": "jurisdiction"},
            note="3-4★: the holder's province's council; 5★: the central council",
        ),
        Rule(
            "POST /certificates/revocations",
            {"certifier": "jurisdiction"},
            note="all named certificates in the council's jurisdiction, or none revoked",
        ),
        Rule(
            "POST /imports/register",
            {"certifier": "any"},
            note="rows outside the council's province or level are row errors",
        ),
        # applications
        Rule(
            "POST /fairs/{fair_id}/applications",
            {"exhibitor": "any"},
            note="the caller's application to any open fair",
        ),
        Rule(
            "GET /fairs/{fair_id}/applications",
            {"organizer": "own", "admin": "any"},
            note="the review queue of the caller's fair",
        ),
        Rule("GET /applications", {"exhibitor": "any"}, note="the caller's own"),
        Rule(
            "GET /applications/{application_id}",
            {"exhibitor": "own", "organizer": "own", "admin": "any"},
            note="its exhibitor; the fair's organizer",
        ),
        Rule(
            "POST /applications/{application_id}/review",
            {"organizer": "own", "admin": "any"},
            note="the fair's organizer",
        ),
        Rule("POST /applications/{application_id}/withdraw", {"exhibitor": "own", "admin": "any"}),
        # on-site quality inspection (issue 15)
        Rule(
            "POST /fairs/{fair_id}/inspections",
            {"inspector": "own"},
            note="a fair held in the inspector's province; the product exhibited there",
        ),
        Rule(
            "GET /fairs/{fair_id}/inspections",
            {"inspector": "own", "organizer": "own", "admin": "any"},
            note="inspectors of the fair's province; the fair's organizer",
        ),
        Rule(
            "GET /products/{product_id}/inspections",
            {
                "exhibitor": "own",
                "certifier": "jurisdiction",
                "inspector": "any",
                "organizer": "any",
                "admin": "any",
            },
            note="the holder and its council: all; an inspector: fairs of its province; "
            "an organizer: its fairs",
        ),
        Rule(
            "GET /inspection-referrals",
            {"certifier": "any", "admin": "any"},
            note="referrals for revocation in the council's jurisdiction",
        ),
        # trade matching, visitors and fair series (issue 15)
        Rule(
            "POST /fairs/{fair_id}/meetings",
            {"organizer": "own", "exhibitor": "own"},
            note="the fair's organizer; an exhibitor of the fair, its own meetings",
        ),
        Rule(
            "POST /fairs/{fair_id}/trade-contracts",
            {"organizer": "own", "exhibitor": "own"},
            note="the fair's organizer; an exhibitor of the fair, its own contracts",
        ),
        Rule(
            "GET /fairs/{fair_id}/trade",
            {"organizer": "own", "exhibitor": "own", "admin": "any"},
            note="all to the fair's organizer; an exhibitor's own to it",
        ),
        Rule(
            "GET /fairs/{fair_id}/trade-report",
            {"organizer": "own", "admin": "any"},
            note="contracts by exhibitor, province, product group and buyer's country",
        ),
        Rule(
            "POST /fairs/{fair_id}/visitor-counts",
            {"organizer": "own"},
            note="the fair's organizer, or a gate's device with its API key (staff)",
        ),
        Rule(
            "GET /fairs/{fair_id}/visitor-counts",
            {"organizer": "own", "admin": "any"},
            note="visitors per day",
        ),
        Rule("POST /fair-series", {"organizer": "any"}, note="a series of the caller's fairs"),
        Rule(
            "GET /fair-series",
            {"organizer": "any", "admin": "any"},
            note="the caller's series with their fairs (the admin: all)",
        ),
        Rule(
            "PUT /fairs/{fair_id}/series",
            {"organizer": "own"},
            note="the caller's fair, in one of its series or none",
        ),
        Rule(
            "GET /fair-series/{series_id}/report",
            {"organizer": "own", "admin": "any"},
            note="the series' fairs year by year",
        ),
        # retailers and their stores (issue 15: a promotion week's host)
        Rule(
            "GET /retailers",
            {"organizer": "any", "admin": "any"},
            note="the retailers a promotion week may name as its host",
        ),
        Rule(
            "GET /retailers/{retailer_id}/stores",
            {"retailer": "own", "organizer": "any", "admin": "any"},
            note="its people; organizers, who name a promotion week's stores",
        ),
        Rule(
            "POST /retailers/{retailer_id}/stores",
            {"retailer": "own", "admin": "any"},
            owners_only=True,
            note="the retailer's owner adds a store (store_code, name, address)",
        ),
    ],
    roles=ROLES,  # the retailer too (issue 15)
)
