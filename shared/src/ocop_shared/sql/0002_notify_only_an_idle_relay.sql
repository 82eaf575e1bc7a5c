-- NOTIFY serializes commits (one lock on the notification queue at each commit), so under
-- load it caps the commit rate of every transaction that writes events. Writers notify only
-- when the relay says it is idle; a busy relay is polling the outbox anyway.
create table outbox_relay_state (
    id       boolean primary key default true check (id),
    waiting  boolean not null default false
);
insert into outbox_relay_state (id, waiting) values (true, false);

create or replace function outbox_notify() returns trigger language plpgsql as $$
begin
    if exists (select 1 from outbox_relay_state where waiting) then
        perform pg_notify(tg_table_schema || '_outbox', '');
    end if;
    return null;
end $$;
