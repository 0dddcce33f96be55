"""Incremental summaries: a load or undo that touches some deals rebuilds only their rows of
the keyed summaries, and every summary then equals a full rebuild (EXCEPT ALL both ways)."""

import pytest

from dashboard.store import summaries, warehouse
from tests.store.summary_checks import differences


@pytest.fixture
def keyed_builds(monkeypatch) -> list[str]:
    """The summaries rebuilt by key (not in full), in order."""
    calls: list[str] = []
    real = summaries._rebuild_keys

    def spy(con, name, inc):
        calls.append(name)
        return real(con, name, inc)

    monkeypatch.setattr(summaries, "_rebuild_keys", spy)
    return calls


def _deals_load(con) -> None:
    """Replace three deals already there (one is won now, one moves back, one has its stage
    history rewritten) and add two new ones with a history: deals and history only."""
    con.execute("""
        create temp table old_deals as
        select * exclude (load_id) from deals order by deal_id limit 3
    """)
    con.execute("""
        create temp table incoming_deals as
        select deal_id, account_id, deal_name, pipeline, stage,
            case when row_number() over (order by deal_id) = 1 then 'won' else status end
                as status,
            amount + 100 as amount, currency, created_at,
            case when row_number() over (order by deal_id) = 1
                then coalesce(closed_at, created_at + interval 30 day) else closed_at end
                as closed_at,
            owner, source, product, 'Acme; none' as competitor, loss_reason
        from old_deals
        union all
        select 'NEW-' || n, account_id, 'New deal ' || n, pipeline, stage, 'open', 5000,
            currency, timestamp '2026-01-05' + n * interval 1 day, null, owner, source,
            product, null, null
        from old_deals, range(1, 3) t(n)
        where old_deals.deal_id = (select min(deal_id) from old_deals)
    """)
    con.execute("""
        create temp table incoming_deal_stage_history as
        select d.deal_id, s.stage, timestamp '2026-01-06' + s.stage_order * interval 2 day
            as entered_at
        from incoming_deals d
        join pipeline_stages s on s.pipeline = d.pipeline and s.status = 'open'
        where d.deal_id > (select min(deal_id) from incoming_deals)
    """)
    warehouse.load_relations(
        con,
        {"deals": "incoming_deals", "deal_stage_history": "incoming_deal_stage_history"},
        warehouse.LoadInfo("test"),
    )


def test_a_load_of_some_deals_rebuilds_only_their_rows_and_equals_a_full_build(
    sample_copy, keyed_builds
):
    con = sample_copy
    assert differences(con) == {}  # the sample as built in full
    _deals_load(con)
    # Without the header promise both would be rebuilt in full: the spy would see nothing.
    keyed = [
        "customers",
        "deals_closed",
        "funnel_stage_reached",
        "funnel_stopped",
        "funnel_stopped_shown",
        "funnel_won_cycles",
    ]
    assert keyed_builds == keyed
    assert con.execute("select count(*) from deals where deal_id like 'NEW-%'").fetchall() == [(2,)]
    assert differences(con) == {}
    load_id = con.execute("select max(load_id) from loads").fetchall()[0][0]
    warehouse.undo_load(con, load_id)  # the replaced rows come back, the new ones go
    assert keyed_builds == keyed * 2
    assert differences(con) == {}
    new_rows = "select count(*) from summary_funnel_stage_reached where deal_id like 'NEW-%'"
    assert con.execute(new_rows).fetchall() == [(0,)]


def test_a_load_of_orders_moved_to_another_account_rebuilds_both_accounts(
    sample_copy, keyed_builds
):
    """Two orders replaced with another account (the old account loses them: its key comes
    from the archived rows) and one new order; then undone."""
    con = sample_copy
    con.execute("""
        create temp table incoming_orders as
        select * exclude (load_id) replace (
            (select max(account_id) from accounts) as account_id, amount * 2 as amount)
        from orders order by order_id limit 2
    """)
    con.execute("""
        insert into incoming_orders by name
        select 'NEW-ORDER' as order_id, account_id, timestamp '2026-02-03' as ordered_at,
            -40 as amount
        from orders order by order_id limit 1
    """)
    warehouse.load_relations(con, {"orders": "incoming_orders"}, warehouse.LoadInfo("test"))
    assert keyed_builds == ["customers", "retention_activity"]
    assert differences(con) == {}
    load_id = con.execute("select max(load_id) from loads").fetchall()[0][0]
    warehouse.undo_load(con, load_id)
    assert keyed_builds == ["customers", "retention_activity"] * 2
    assert differences(con) == {}


def test_a_load_that_changes_another_input_rebuilds_in_full(sample_copy, keyed_builds):
    """Accounts feed the funnel's segment: a load of accounts may change any deal's rows."""
    con = sample_copy
    con.execute(
        "create temp table incoming_accounts as select * exclude (load_id) from accounts"
        " order by account_id limit 2"
    )
    con.execute("update incoming_accounts set segment = 'Enterprise', region = 'APAC'")
    warehouse.load_relations(con, {"accounts": "incoming_accounts"}, warehouse.LoadInfo("test"))
    assert keyed_builds == []
    assert differences(con) == {}


def test_header_promise_is_read_from_the_summary_file():
    inc = summaries.incremental("funnel_stage_reached")
    assert inc is not None and inc.key == "deal_id"
    assert inc.tables == {"deals", "deal_stage_history", "summary_funnel_stage_entries"}
    assert summaries.incremental("funnel_stage_entries") is None  # deal_key numbers all deals


def test_incremental_lines_leave_the_fingerprint_alone(tmp_path, monkeypatch):
    """A warehouse built before a summary said how to rebuild it by key is not rebuilt when
    the product adds the line (the full rebuild of the funnel is 18 s at scale 50)."""
    monkeypatch.setattr(summaries, "SUMMARIES_DIR", tmp_path)
    (tmp_path / "plain.sql").write_text("-- rows\nselect deal_id from deals\n")
    (tmp_path / "keyed.sql").write_text(
        "-- rows\n-- Incremental by deal_id: deals\n-- Incremental, why: per deal\n"
        "select deal_id from deals\n"
    )
    (tmp_path / "changed.sql").write_text("-- rows\nselect deal_id, 1 from deals\n")
    assert summaries.fingerprint("keyed") == summaries.fingerprint("plain")
    assert summaries.fingerprint("changed") != summaries.fingerprint("plain")
    assert summaries.incremental("keyed") == summaries.Incremental("deal_id", frozenset({"deals"}))
