-- Reasons as codes with parameters beside their English text (domain/reasons.py), so a client
-- renders them in its reader's language: a booth's history and the waitlist. Entries written
-- before carry the code their fixed English text means, or none (free text).
alter table booth_audit add column reason_code text;
alter table booth_audit add column reason_params jsonb not null default '{}';
update booth_audit
   set reason_code = case reason
       when 'self-service hold' then 'self_service_hold'
       when 'paid' then 'paid'
       when 'hold given up' then 'hold_given_up'
       when 'hold expired' then 'hold_expired'
       when 'payment deadline passed' then 'payment_deadline_passed'
       when 'application withdrawn' then 'application_withdrawn'
       end
 where reason_code is null;

alter table waitlist add column reason_code text;
alter table waitlist add column reason_params jsonb not null default '{}';

-- Bank-statement lines no payment was recorded for, kept so the organizer can look into them;
-- one row per bank transfer (the line's identity, as payments.bank_line), gone once paid.
create table unmatched_bank_lines (
    fair_id         uuid not null,
    bank_line       text not null,
    line            integer not null,
    amount          text not null,
    amount_vnd      bigint,
    description     text not null,
    transaction_id  text not null default '',
    booked_at       text not null default '',
    reason          text not null,
    reason_code     text not null,
    reason_params   jsonb not null default '{}',
    imported_by     text not null,
    imported_at     timestamptz not null default now(),
    primary key (fair_id, bank_line)
);
