-- Issue 11's business-flow rules.
--
-- A discount below the list price carries its reason (the line is the audit record).
alter table sale_lines add column discount_reason text;

-- An offline sale whose device time precedes the till's last confirmed online contact by more
-- than the allowed window is recorded, judged at the bounded time, and flagged for review
-- (review = 'backdated'); last_online_at is the server's time of the till's last online sale
-- (set by the sale's guarded write, no extra statement); the till's enrolment counts as its
-- first contact.
alter table sales add column review text;
alter table terminals add column last_online_at timestamptz;
create index sales_review on sales (fair_id) where review is not null;

-- A refund goes back by the sale's payment method unless an organizer of the fair approves
-- another: the approval names the sale, the method and why; a refund by that method cites it.
create table refund_approvals (
    approval_id   uuid primary key,
    sale_id       uuid not null references sales,
    fair_id       uuid not null,
    method        text not null,
    reason        text not null,
    approved_by   text not null,
    payload_hash  bytea not null,
    approved_at   timestamptz not null default now()
);
create index refund_approvals_sale on refund_approvals (sale_id);
alter table refunds add column approval_id uuid references refund_approvals;
