-- One row per window asked: health_totals_all's rows for the health page's default view, read
-- from their summary (queries/summaries/view_health_totals.sql: the trend's and the previous
-- period's windows of the last 12 months of data, no filter, no grant). No row unless no
-- filter or grant is set (a grant, even an empty one, sees nothing here); metrics.window_sums
-- runs health_totals_all itself unless every window asked is found.
-- Params: $window_ends (the windows' last days), $window_days (their length),
--         $segments, $regions, $owners, $teams (lists, null = all: rows only when all four
--         are null).
select * exclude (window_days)
from summary_view_health_totals
where window_days = $window_days
    and list_contains(cast($window_ends as date[]), window_end)
    and account_filter_off($segments, $regions, $owners, $teams)
order by window_end
