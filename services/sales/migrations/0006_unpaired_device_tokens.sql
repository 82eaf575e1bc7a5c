-- Tills can be unpaired (issue 10): the till stays (its sales are in the reports), its device
-- token is revoked for good. A till's token is a device credential (shared 0006's kind).
alter table terminals drop constraint terminals_status_check;
alter table terminals add constraint terminals_status_check
    check (status in ('active', 'suspended', 'unpaired'));

update api_tokens set kind = 'device' where role = 'terminal' and kind <> 'device';
