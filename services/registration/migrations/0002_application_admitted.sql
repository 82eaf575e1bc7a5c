-- Registration's decision on each application's products (event contracts v2): the products
-- the fair's rules admitted, each until its certificate's last day. Decided at submission and
-- again at approval. Applications from before take what a v1 consumer read from them: every
-- product whose certificate is not revoked and has not ended.
alter table applications add column admitted jsonb not null default '[]';

update applications a
   set admitted = coalesce((
         select jsonb_agg(jsonb_build_object('product_id', ap.product_id, 'until', c.valid_to)
                          order by ap.position)
           from application_products ap
           join lateral (select * from certificates c where c.product_id = ap.product_id
                          order by c.valid_from desc, c.created_at desc limit 1) c on true
          where ap.application_id = a.application_id
            and c.revoked_at is null
            and c.valid_to >= (now() at time zone 'Asia/Ho_Chi_Minh')::date), '[]');

alter table applications alter column admitted drop default;
