"""The sample company: deterministic, the promised size, and internally consistent."""

import hashlib

import pandas as pd
import pytest
from dashboard.sample_data.generate import generate

from dashboard.store import sample


def _digest(frames: dict[str, pd.DataFrame]) -> str:
    h = hashlib.sha256()
    for name, frame in frames.items():
        h.update(name.encode())
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def test_same_seed_same_rows_other_seed_other_rows():
    assert _digest(generate(0.05, seed=3)) == _digest(generate(0.05, seed=3))
    assert _digest(generate(0.05, seed=3)) != _digest(generate(0.05, seed=4))


def test_scale_multiplies_the_size():
    small, double = generate(0.1), generate(0.2)
    assert len(small["accounts"]) == 200 and len(double["accounts"]) == 400
    assert len(small["deals"]) == 2_000 and len(double["deals"]) == 4_000
    assert 1.6 < len(double["orders"]) / len(small["orders"]) < 2.4


def sql_zero_rows(con, sql):
    rows = con.execute(sql).fetchall()
    assert rows == [], rows[:5]


def test_sample_size_at_scale_one(sample_con):
    counts = dict(
        sample_con.execute(
            "select 'accounts', count(*) from accounts"
            " union all select 'deals', count(*) from deals"
            " union all select 'activities', count(*) from activities"
            " union all select 'orders', count(*) from orders"
            " union all select 'surveys', count(*) from surveys"
            " union all select 'tickets', count(*) from tickets"
        ).fetchall()
    )
    assert counts["accounts"] == 2_000 and counts["deals"] == 20_000
    assert counts["activities"] > 150_000 and counts["orders"] > 30_000
    assert counts["surveys"] > 4_000 and counts["tickets"] > 5_000


@pytest.mark.parametrize(
    "invariant",
    [
        # closed deals close after they were created; open deals have no close date
        "select deal_id from deals where status <> 'open' and closed_at < created_at",
        "select deal_id from deals where status = 'open' and closed_at is not null",
        # stage matches status, and every stage belongs to its pipeline
        "select deal_id from deals where (status = 'won') <> (stage = 'Closed Won')",
        "select d.deal_id from deals d anti join pipeline_stages p using (pipeline, stage)",
        # history never enters a stage before the deal exists
        "select h.deal_id from deal_stage_history h join deals d using (deal_id)"
        " where h.entered_at < d.created_at",
        # loss reasons only on lost deals
        "select deal_id from deals where loss_reason is not null and status <> 'lost'",
        # accounts exist before their first deal
        "select a.account_id from accounts a join deals d using (account_id)"
        " group by all having min(d.created_at) < any_value(a.created_at)",
        # scores on their scales
        "select response_id from surveys where survey_type = 'nps' and score not between 0 and 10",
        "select response_id from surveys where survey_type = 'csat' and score not between 1 and 5",
        # tickets are answered after they are opened
        "select ticket_id from tickets where first_response_at < opened_at"
        " or resolved_at < opened_at",
    ],
)
def test_invariants(sample_con, invariant):
    sql_zero_rows(sample_con.cursor(), invariant)


def test_the_story_the_pages_should_find(sample_con):
    cur = sample_con.cursor()
    lost_at = dict(
        cur.execute(
            "select h.stage, count(*) from deals d join deal_stage_history h using (deal_id)"
            " where d.status = 'lost' and h.stage not in ('Closed Lost') group by 1"
        ).fetchall()
    )
    assert all(
        lost_at.get(s, 0) > 0
        for s in ("Prospecting", "Qualification", "Needs Analysis", "Proposal", "Negotiation")
    )
    rates = dict(
        cur.execute(
            "select c, avg((status = 'won')::int) from (select status, unnest(string_split("
            "replace(competitor, ',', ';'), ';')) as raw from deals where status <> 'open'"
            " and competitor is not null), lateral (select trim(raw) as c) group by c"
        ).fetchall()
    )
    assert set(rates) == {"Acmetrics", "Brightfield", "Corvia", "Dynalytics", "Evergrid"}
    assert max(rates.values()) - min(rates.values()) > 0.10  # clearly different
    sources = dict(
        cur.execute(
            "select source, avg((status = 'won')::int) from deals where status <> 'open' group by 1"
        ).fetchall()
    )
    assert sources["Referral"] > sources["Outbound"] and sources["Partner"] > sources["Outbound"]
    nps_by_year = cur.execute(
        "select year(responded_at), avg(case when score >= 9 then 100 when score <= 6 then -100"
        " else 0 end) from surveys where survey_type = 'nps' group by 1 order by 1"
    ).fetchall()
    assert nps_by_year[-1][1] > nps_by_year[1][1] + 10  # NPS rises visibly
    repeat = cur.execute(
        "select count(*) from (select account_id from orders group by 1 having count(*) >= 3)"
    ).fetchall()[0][0]
    assert repeat > 500


def test_first_start_loads_the_sample_once(con):
    assert sample.ensure_sample(con) is not None
    assert sample.showing_sample_only(con)
    assert sample.ensure_sample(con) is None  # not empty any more
    with pytest.raises(sample.SampleAlreadyLoaded):
        sample.load_sample(con)


def test_the_sample_banner_points_each_role_to_a_way_out_it_has(sample_con):
    cur = sample_con.cursor()
    assert "on the **Import** page" in sample.sample_notice(cur)
    # viewers and managers cannot open the import page: they are not sent there
    for_viewer = sample.sample_notice(cur, None, can_import=False)
    assert "Import** page" not in for_viewer and "once an analyst imports" in for_viewer
