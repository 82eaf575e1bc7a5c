-- Registration's decision, per admitted product: the last day (Viet Nam time) it may be sold
-- as OCOP at this fair (ApplicationSnapshot.admitted[].until, renewed by a new certificate's
-- ProductSnapshot.ocop_until). Null on rows stored before this column: no end known.
alter table catalog add column ocop_until date;
