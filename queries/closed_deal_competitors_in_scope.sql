-- One row per closed deal and competitor: every column of summary_deals_closed_competitors for the rows closed in the period and within the
-- filters: what the queries about closed deals read (each includes this file).
-- Params: $start_date, $end_date (inclusive dates on closed_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
-- Two branches joined by union all, exactly one of which can return rows: with no filter at
-- all the first reads the rows alone; otherwise the second tests deal_in_scope. Measured at
-- 1M deals: deal_in_scope's subqueries behind an OR cost 9-10 ms CPU per query even with no
-- filter (DuckDB cannot skip a subquery behind an OR), once per query on every page view.
-- tests/core/test_closed_deals_in_scope.py checks each query reading it against its previous
-- text (deal_in_scope alone).
select *
from summary_deals_closed_competitors
where in_period(closed_at, $start_date, $end_date)
    and account_filter_off($segments, $regions, $owners, $teams)
union all
select *
from summary_deals_closed_competitors
where in_period(closed_at, $start_date, $end_date)
    and not account_filter_off($segments, $regions, $owners, $teams)
    and deal_in_scope(owner, account_id, $segments, $regions, $owners, $teams)
