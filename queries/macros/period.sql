-- Period placement, defined once for every query file; applied with `create or replace` each
-- time the warehouse opens (dashboard/store/macros.py).

-- True when ts falls in [start_date, end_date] (inclusive dates). With no period every row
-- counts, including rows whose date is missing (product.md); with one, those rows drop out.
create or replace macro in_period(ts, start_date, end_date) as
    (start_date is null or ts >= cast(start_date as timestamp))
    and (end_date is null or ts < cast(end_date as timestamp) + interval 1 day);
