-- Ranked booth choices (fairs whose rules say allocation_mode "ranked"): each approved
-- application's booths in order of preference, at most five, read by the allocation engine.
-- A floor plan replaced drops them with its booths (new booths, new ids).
create table booth_choices (
    application_id  uuid not null references applications,
    fair_id         uuid not null,
    rank            integer not null check (rank between 1 and 5),
    booth_id        uuid not null references booths on delete cascade,
    chosen_at       timestamptz not null default now(),
    primary key (application_id, rank),
    unique (application_id, booth_id)
);
create index booth_choices_fair on booth_choices (fair_id);
