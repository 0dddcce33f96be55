-- One row per lifecycle step: accounts identified, engaged, opportunity, customer, repeat
-- buyer, promoter; how many reached each step and how many meet its own condition.
-- Params: $start_date, $end_date (inclusive dates on the account’s created_at: the accounts
--         identified in the period, followed to today), $segments, $regions, $owners, $teams (lists,
--         null = all; owner = account owner).
-- Conditions: engaged = any activity (on the account or one of its deals); opportunity = any
-- deal; customer = a won deal or an order (product.md); repeat buyer = 2+ orders or 2+ won
-- deals; promoter = an NPS answer of 9-10.
-- Reached: as in the deal funnel, a later step implies the earlier ones (a deal implies
-- engagement, buying implies an opportunity), so the funnel never widens. Promoter is the
-- exception: a score implies no purchase, so it counts repeat buyers who answered 9-10;
-- count_condition_met shows every account meeting a step’s own condition.
with

identified as (
    select distinct account_id
    from accounts_in_scope($segments, $regions, $owners, $teams)
    where in_period(created_at, $start_date, $end_date)
),

deal_accounts as (
    select deal_id, account_id from deals
),

touched as (
    select distinct coalesce(a.account_id, d.account_id) as account_id
    from activities a
    left join deal_accounts d using (deal_id)
),

deal_counts as (
    select account_id, count(*) as count_deals, count(*) filter (where status = 'won') as count_won
    from deals
    group by account_id
),

order_counts as (
    select account_id, count(*) as count_orders from orders group by account_id
),

promoters as (
    select distinct account_id from surveys where survey_type = 'nps' and score >= 9
),

facts as (
    select
        i.account_id,
        t.account_id is not null as is_engaged,
        coalesce(dc.count_deals, 0) > 0 as is_opportunity,
        coalesce(dc.count_won, 0) > 0 or coalesce(oc.count_orders, 0) > 0 as is_customer,
        coalesce(dc.count_won, 0) >= 2 or coalesce(oc.count_orders, 0) >= 2 as is_repeat_buyer,
        p.account_id is not null as is_promoter
    from identified i
    left join touched t using (account_id)
    left join deal_counts dc using (account_id)
    left join order_counts oc using (account_id)
    left join promoters p using (account_id)
),

levels as (
    select
        *,
        case
            when is_promoter and is_repeat_buyer then 6
            when is_repeat_buyer then 5
            when is_customer then 4
            when is_opportunity then 3
            when is_engaged then 2
            else 1
        end as furthest_step
    from facts
),

steps as (
    select * from (values
        (1, 'Identified'),
        (2, 'Engaged'),
        (3, 'Opportunity'),
        (4, 'Customer'),
        (5, 'Repeat buyer'),
        (6, 'Promoter')
    ) as s(step_number, step_name)
),

final as (
    select
        s.step_number,
        s.step_name,
        count(l.account_id) filter (where l.furthest_step >= s.step_number) as count_reached,
        count(l.account_id) filter (where case s.step_number
            when 1 then true
            when 2 then l.is_engaged
            when 3 then l.is_opportunity
            when 4 then l.is_customer
            when 5 then l.is_repeat_buyer
            else l.is_promoter
        end) as count_condition_met
    from steps s
    left join levels l on true
    group by all
)

select * from final order by step_number
