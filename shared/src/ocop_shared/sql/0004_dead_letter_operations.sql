-- Dead letters you can work with (ocop_shared.deadletters): a letter is replayed or discarded
-- in place and kept as an audit record; only "open" letters still need someone.
alter table dead_letters
    add column attempts         integer not null default 1,
    add column last_attempt_at  timestamptz not null default now(),
    add column status           text not null default 'open'
        check (status in ('open', 'replayed', 'discarded')),
    add column resolution       text,
    add column resolved_by      text,
    add column resolved_at      timestamptz;
update dead_letters set last_attempt_at = created_at;
create index dead_letters_open on dead_letters (consumer, id) where status = 'open';
