-- Product names as the products table and the deals or orders naming them are matched:
-- case, spaces, dots, dashes and underscores ignored, so 'GTXPro' and 'GTX Pro' are one
-- product (a products export and a deals export often spell them two ways).
-- dashboard/ingest/batch.py's product_key is the same rule in Python (the import's overlap).
create or replace macro product_key(name) as
    regexp_replace(lower(trim(name)), '[\s._-]+', '', 'g');
