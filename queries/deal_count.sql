-- One row: how many deals the warehouse holds, every load, no filter (the changes panel
-- works itself out in the background above a size). Params: none.
select count(*) as count_deals
from deals
