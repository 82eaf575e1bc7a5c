-- Every sale and refund belongs to exactly one session (its Z-report): the till's row holds its
-- open session, and the sale's guarded write (which updates that row) takes the session from
-- it; closing clears it under the same row lock, so a sale is either written before the close
-- (and counted by it) or after (and counted by the next session). A sale or refund made while
-- no session is open gets the next session the till opens.
alter table terminals add column session_id uuid;
alter table sales add column session_id uuid;
alter table refunds add column session_id uuid;

update terminals t set session_id = s.session_id
  from sessions s where s.terminal_id = t.terminal_id and s.closed_at is null;
-- Rows stored before: the session whose window held them (what the Z-reports counted).
update sales x set session_id = s.session_id
  from sessions s
 where s.terminal_id = x.terminal_id and x.recorded_at >= s.opened_at
   and (s.closed_at is null or x.recorded_at <= s.closed_at);
update refunds x set session_id = s.session_id
  from sessions s
 where s.terminal_id = x.terminal_id and x.recorded_at >= s.opened_at
   and (s.closed_at is null or x.recorded_at <= s.closed_at);

-- Sales are found by (terminal_id, receipt_no); refunds need their own index.
create index refunds_session on refunds (terminal_id, session_id);
