-- A review's reason may carry a code (domain/refusals.py REVIEW_REASONS) beside its free text,
-- so the exhibitor's screen words it in its reader's language. Older reviews have none.
alter table applications add column reason_code text;
