"""The inputs the tiles and pages need, counted over the data in effect (golden data, see
tests/golden_data.py for the rows)."""

from dashboard.core import needs, queries
from dashboard.core.filters import NOTHING, Filters
from dashboard.store import summaries
from tests.core.test_queries_golden import Q1
from tests.golden_data import load_golden


def test_measure_inputs_counts_rows_with_a_value(con):
    load_golden(con)
    rows = {
        (r.table_name, r.field_name): (r.rows_total, r.rows_known)
        for r in queries.run(con, "measure_inputs", Filters().scope_params()).itertuples()
    }
    assert rows[("deals", "amount")] == (7, 6)  # D6 has none
    assert rows[("deals", "created_at")] == (7, 6)  # D7 has no dates
    assert rows[("deals", "closed_at")] == (7, 5)  # D4 open, D7 undated
    assert rows[("deals", "stage")] == (7, 0)  # the golden deals carry a status only
    assert rows[("deals", "competitor")] == (7, 0)
    assert rows[("accounts", "segment")] == (3, 2)  # A4's segment is blank ("  ")
    assert rows[("accounts", "industry")] == (3, 0)
    assert rows[("surveys", "score")] == (13, 12)  # S7 has no score
    assert rows[("activities", "occurred_at")] == (0, 0)  # no activities at all


def test_measure_inputs_stay_within_the_grant(con):
    """A manager granted nothing learns nothing, not even which fields exist."""
    load_golden(con)
    nothing = Filters(scope=NOTHING).scope_params()
    frame = queries.run(con, "measure_inputs", nothing)
    assert not frame.empty and (frame["rows_total"] == 0).all()
    assert (frame["rows_known"] == 0).all()


def test_no_data_reasons_for_the_golden_data(con):
    load_golden(con)
    reasons = needs.no_data_reasons(con, needs.HEALTH)
    assert (
        reasons["touched_90d"]
        == "no file gives activities (account, date); load one on the import page"
    )
    assert reasons["competitive_win_rate"] == (
        "no competitor column on deals was mapped; map one on the import page"
    )
    assert "win_rate" not in needs.no_data_reasons(con, needs.OVERVIEW)  # status is fed


COUNTS = ("deals_open", "deals_open_with_amount", "deals_won", "deals_won_with_amount",
          "deals_won_with_cycle")  # fmt: skip


def test_deal_input_counts_all_time_and_in_q1(con):
    """deal_summary's input counts (they were deal_input_coverage.sql's own query)."""
    load_golden(con)
    row = queries.run_one(con, "deal_summary", Filters().params())
    # Open now: D4 (2,000). Won: D1 D3 D5 D7, all with an amount; D7 has no dates: 3 cycles.
    assert {k: row[k] for k in COUNTS} == {
        "deals_open": 1,
        "deals_open_with_amount": 1,
        "deals_won": 4,
        "deals_won_with_amount": 4,
        "deals_won_with_cycle": 3,
    }
    row = queries.run_one(con, "deal_summary", Q1.params())
    # Open on Mar 31: D4, D5; won in Q1: D1, D3 (both dated, both with an amount).
    assert {k: row[k] for k in COUNTS} == {
        "deals_open": 2,
        "deals_open_with_amount": 2,
        "deals_won": 2,
        "deals_won_with_amount": 2,
        "deals_won_with_cycle": 2,
    }


def _counting_part(sql: str) -> str:
    """The per-table counts and the long form: what both files must count alike (the stage
    history's rows in scope are picked apart)."""
    counts = sql[sql.index("-- One scan per table") : sql.index("-- A deal's stage history")]
    return counts + sql[sql.index("fields_fed as (") : sql.index("final as (")]


def test_the_per_load_counts_count_what_the_scoped_query_counts():
    """Everyone granted everything reads summary_measure_inputs, a narrower grant counts in
    measure_inputs.sql itself: the same fields, counted the same way (only the rows in scope
    differ), so the two paths cannot drift apart."""
    summary = (summaries.SUMMARIES_DIR / "measure_inputs.sql").read_text(encoding="utf-8")
    assert _counting_part(summary) == _counting_part(queries.sql_text("measure_inputs"))


def test_everything_granted_reads_the_per_load_counts_and_a_narrower_grant_none(con):
    load_golden(con)
    everything = Filters().scope_params()
    per_load = queries.run(con, "measure_inputs_all_granted", everything)
    assert per_load.equals(queries.run(con, "measure_inputs", everything))
    assert len(per_load) == 30 and per_load["rows_total"].sum() > 0
    assert queries.run(
        con, "measure_inputs_all_granted", Filters(scope=NOTHING).scope_params()
    ).empty
    assert needs.fed_in_warehouse(con)[("deals", "amount")] == (7, 6)  # D6 has none


def test_a_reason_reads_as_one_sentence_after_its_own_colon():
    """Issue 19: "No data: no amount column was mapped: map one…" doubled its colon. The reason
    carries no colon of its own, names every cause once and ends with one fix."""
    one = needs.missing_sentence([needs.AMOUNT], {"deals"})
    assert one == "no amount column was mapped; map one on the import page"
    assert needs.note(needs.OVERVIEW, "won_amount", one).count(":") == 1
    two = needs.missing_sentence([needs.CREATED, needs.CLOSED], {"deals"})
    assert two == (
        "no creation date column was mapped and no close date column was mapped; map them on "
        "the import page"
    )
    absent = needs.missing_sentence(list(needs.ORDERS), {"deals"})
    assert absent == "no file gives orders (customer, date, amount); load one on the import page"
    both = needs.missing_sentence([needs.SCORE, needs.AMOUNT], {"deals"})
    assert both == (
        "no file gives surveys (score, date) and no amount column was mapped; load and map them "
        "on the import page"
    )
    for page, key in needs.BY_KEY:
        need = needs.need(page, key)
        for tables in (set(), {"deals"}, set(needs.TABLE_WORDS)):
            why = needs.missing_sentence(list(need.requires), tables)
            assert ":" not in why, (key, why)


def test_several_reasons_merge_into_one_sentence_with_one_fix():
    accounts = needs.missing_sentence([needs.ACCOUNT_ROWS], set())
    product = needs.missing_sentence([needs.PRODUCT], {"accounts", "deals", "orders"})
    assert needs.merged([accounts, product, accounts]) == (
        "no file gives accounts (segment, industry, region, owner) and no product column on "
        "deals or product column on orders was mapped; load and map them on the import page"
    )
