-- Deals closed (won or lost) in a period, in the filter scope, with the sales cycle in days
-- (product.md: closed_at - created_at; null when a date is missing). Every query about closed
-- deals starts here, so "closed in the period" and the cycle have one definition.
create macro closed_deals_in_scope(start_date, end_date, segments, regions, owners) as table
    select
        *,
        status = 'won' as is_won,
        date_diff('second', created_at, closed_at) / 86400.0 as cycle_days
    from deals_in_scope(segments, regions, owners)
    where status in ('won', 'lost') and in_period(closed_at, start_date, end_date);
