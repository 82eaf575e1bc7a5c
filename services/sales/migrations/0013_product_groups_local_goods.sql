-- Issue 15: product groups named and versioned, ordinary local goods, delegation members.

-- The groups' Vietnamese names per taxonomy ("2019", "2023"), learnt from registration's
-- product snapshots (product_group_name); the revenue report answers a group by its name.
create table product_group_names (
    taxonomy  text not null,
    code      integer not null,
    name_vi   text not null,
    primary key (taxonomy, code)
);

-- A catalog row's taxonomy and group name (from the approval), and whether the product was
-- admitted as OCOP (false: ordinary local goods of a fair whose rules admit them; no
-- certificate decision applies to the row). Rows stored before: OCOP, taxonomy unknown.
alter table catalog add column taxonomy text;
alter table catalog add column product_group_name text;
alter table catalog add column ocop boolean not null default true;

-- What a line was sold as: its group's taxonomy and whether OCOP (false: local goods).
alter table sale_lines add column taxonomy text;
alter table sale_lines add column ocop boolean not null default true;

-- A delegation's member holder reads its own lines sold at the delegation's booths
-- (GET /sales, the revenue report): found by producer at a fair.
create index catalog_producer on catalog (fair_id, producer_id);
