-- One row: the first and last dates seen in deals, orders and surveys (for default periods).
-- Params: none. Null when there is no dated row. Read from the per-load summary
-- (queries/summaries/data_dates.sql), which always holds exactly one row.
select first_date, last_date from summary_data_dates
