-- One row: how many deals the person's grant holds, every load (the changes panel works
-- itself out in the background above a size; the size of what the panel reads for them).
-- Params: $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
select count(*) as count_deals
from deals_in_scope($segments, $regions, $owners, $teams)
