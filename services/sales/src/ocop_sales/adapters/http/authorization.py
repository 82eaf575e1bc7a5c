"""Who may do what at sales, as data: one rule per route (``ocop_shared.authz``).

The table lets a role call a route; the handler checks the record is in the caller's reach
(an organizer: its own fairs and their tills; an exhibitor: its own sales at fairs it sells
at; a till: itself, its sales and sessions) and answers 404 otherwise, changing nothing."""

from __future__ import annotations

from ocop_shared.authz import ROLES, AuthorizationTable, Rule

TABLE = AuthorizationTable(
    "sales",
    [
        Rule(
            "POST /fairs/{fair_id}/terminals",
            {"admin": "any", "organizer": "own"},
            fair_scoped=True,
            note="enrols a till at a booth held at this fair; its device token is shown once",
        ),
        Rule(
            "GET /fairs/{fair_id}/terminals",
            {"admin": "any", "organizer": "own"},
            note="the fair's tills",
        ),
        Rule(
            "GET /fairs/{fair_id}/my-terminals",
            {"exhibitor": "own"},
            note="the tills at the booths the exhibitor holds at a fair it sells at",
        ),
        Rule(
            "POST /terminals/{terminal}/suspend",
            {"admin": "any", "organizer": "own"},
            note="the till's device token is refused at once on every replica",
        ),
        Rule(
            "DELETE /terminals/{terminal}",
            {"admin": "any", "organizer": "own"},
            note="unpairs the till: its device token is refused at once on every replica",
        ),
        Rule(
            "POST /terminals/pair",
            {"anyone": "public"},
            note="a device pairs with a till's one-time code (rate limited per client); "
            "answers the till's device token once",
        ),
        Rule(
            "POST /terminals/{terminal}/pairing-code",
            {"admin": "any", "organizer": "own"},
            note="a new one-time pairing code; the till's device token is refused at once",
        ),
        Rule(
            "GET /terminals/me", {"terminal": "own"}, note="the till itself, its fair, booth, rules"
        ),
        Rule(
            "GET /terminals/me/catalog",
            {"terminal": "own"},
            note="the till's booth's products, blocked ones too; ETag, 304",
        ),
        Rule(
            "GET /fairs/{fair_id}/till-rules",
            {"admin": "any", "organizer": "own"},
            note="the fair's offline caps and discount limit for its tills",
        ),
        Rule(
            "PUT /fairs/{fair_id}/till-rules",
            {"organizer": "own"},
            note="sets the fair's till rules",
        ),
        Rule("POST /sales", {"terminal": "own"}, note="a till records its own sales"),
        Rule("POST /sales/batch", {"terminal": "own"}, note="a till's offline sales"),
        Rule(
            "GET /sales",
            {"admin": "any", "organizer": "own", "exhibitor": "own", "terminal": "own"},
            note="organizer: one fair of its own; exhibitor and till: their own sales",
        ),
        Rule(
            "POST /sales/{sale_id}/refunds",
            {"terminal": "own"},
            note="only the till that made the sale; by the sale's payment method unless an organizer approved another",
        ),
        Rule(
            "POST /sales/{sale_id}/refund-approvals",
            {"organizer": "own"},
            note="an organizer of the sale's fair lets it be refunded by another method, with the reason",
        ),
        Rule(
            "GET /sales/{sale_id}",
            {"admin": "any", "organizer": "own", "exhibitor": "own", "terminal": "own"},
            note="one sale with its lines, payments and refunds: its till, exhibitor, fair's organizer",
        ),
        Rule("POST /sessions", {"terminal": "own"}, note="the till's own session"),
        Rule(
            "GET /sessions/{session_id}",
            {"organizer": "own", "terminal": "own"},
            note="a session and its Z-report: its till, the fair's organizer",
        ),
        Rule(
            "POST /sessions/{session_id}/close",
            {"terminal": "own"},
            note="only the till's own session",
        ),
        Rule(
            "GET /fairs/{fair_id}/reports/revenue",
            {"admin": "any", "organizer": "own", "exhibitor": "own"},
            note="exhibitor: its own figures at a fair it sells at",
        ),
        # VietQR transfers and the bank's notifications (issue 13).
        Rule(
            "POST /sales/{sale_id}/transfers/{payment_code}/confirm",
            {"organizer": "own", "terminal": "own"},
            note="the till that sold or the fair's organizer confirms a transfer the bank has "
            "not (yet); again: the same answer",
        ),
        Rule(
            "GET /transfers",
            {"admin": "any", "organizer": "own", "exhibitor": "own", "terminal": "own"},
            note="VietQR transfers, pending or confirmed: as GET /sales",
        ),
        Rule(
            "POST /bank-webhook-keys",
            {"exhibitor": "own"},
            owners_only=True,
            note="a key for the exhibitor's bank-notification webhook, shown once",
        ),
        Rule(
            "GET /bank-webhook-keys",
            {"exhibitor": "own"},
            owners_only=True,
            note="the exhibitor's webhook keys (never the keys)",
        ),
        Rule(
            "DELETE /bank-webhook-keys/{key_id}",
            {"exhibitor": "own"},
            owners_only=True,
            note="revokes one of the exhibitor's webhook keys at once",
        ),
        Rule(
            "POST /bank-notifications",
            {"anyone": "key"},
            note="the bank provider (SePay style) with an exhibitor's webhook key: confirms only "
            "that exhibitor's pending transfers",
        ),
        # Stock at the booth, its report, consignment settlement, retailer sales (issue 15).
        *[
            Rule(
                f"POST /fairs/{{fair_id}}/stock/{what}",
                {"organizer": "own", "exhibitor": "own", "retailer": "own"},
                fair_scoped=True,
                note=f"stock {kind} at a booth: the exhibitor holding it, the fair's organizer, "
                "its host retailer",
            )
            for what, kind in (
                ("receipts", "received"),
                ("returns", "returned"),
                ("adjustments", "adjusted"),
            )
        ],
        Rule(
            "GET /fairs/{fair_id}/reports/stock",
            {"admin": "any", "organizer": "own", "exhibitor": "own", "retailer": "own"},
            note="per product, producer and booth; exhibitor: its own booths; retailer: its "
            "promotion week's",
        ),
        Rule(
            "GET /fairs/{fair_id}/reports/settlement",
            {"admin": "any", "organizer": "own", "exhibitor": "own", "retailer": "own"},
            note="consignment settlement per producer (fair or month); exhibitor: its own "
            "producers; retailer: its promotion week's",
        ),
        Rule(
            "POST /fairs/{fair_id}/retailer-sales",
            {"organizer": "own", "retailer": "own"},
            note="the host retailer's sales file (CSV/XLSX) with a per-row report: its people, "
            "the fair's organizer",
        ),
    ],
    roles=ROLES,
)
