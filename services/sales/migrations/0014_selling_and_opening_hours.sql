-- Issue 15: registration's rules for a fair's tills. An exhibition is display-only
-- (rules.selling false): no till is enrolled there. A showroom sells within its weekly
-- opening hours: [{"weekday": 0..6 (Monday 0), "opens": "HH:MM", "closes": "HH:MM"}], Viet
-- Nam time; empty: the fair's own days and hours only.
alter table fairs add column selling boolean not null default true;
alter table fairs add column opening_hours jsonb not null default '[]';
