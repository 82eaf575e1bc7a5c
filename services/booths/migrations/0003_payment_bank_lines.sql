-- A bank transfer is one payment, however many share its reference and amount (an exhibitor
-- paying two instalments with the same note): a statement's payment is known by its line's
-- identity (the bank's transaction id, or date, amount, description and occurrence), not by
-- reference and amount. A manual payment keeps (reference, amount) as its key.
alter table payments add column bank_line text;
update payments set bank_line = 'legacy:' || reference || '|' || amount_vnd where source = 'statement';
alter table payments drop constraint payments_fair_id_reference_amount_vnd_source_key;
alter table payments add constraint payments_statement_line
    check ((source = 'statement') = (bank_line is not null));
create unique index payments_manual_once on payments (fair_id, reference, amount_vnd)
    where source = 'manual';
create unique index payments_bank_line_once on payments (fair_id, bank_line)
    where source = 'statement';
