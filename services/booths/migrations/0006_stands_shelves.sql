-- Stands and shelf slots besides hall booths (issue 15): a promotion week at a retailer's
-- stores has stands (a free-standing counter) or shelf slots in a store instead of booths on
-- a hall plan. A booth's kind: booth (a rectangle of the hall: x, y as before) or stand /
-- shelf (placed by its store_code, one of the fair's stores; its x, y are 0 and it has no
-- neighbours). The fair's stores come from registration's fair events.
alter table booths
    add column kind text not null default 'booth' check (kind in ('booth', 'stand', 'shelf')),
    add column store_code text,
    add constraint booths_store_code_by_kind check ((kind = 'booth') = (store_code is null));

alter table fairs add column store_codes text[] not null default '{}';
