"""The measure definitions: one each, exact on small numbers."""

import pandas as pd
import pytest

from dashboard.core import measures


def test_win_rate_ignores_open_deals_and_handles_none_closed():
    assert measures.win_rate(3, 1) == 0.75  # 3 won, 1 lost
    assert measures.win_rate(0, 0) is None  # nothing closed: no rate, not 0%


def test_win_rate_on_series_leaves_empty_months_blank():
    rates = measures.win_rate(pd.Series([1, 0, 0]), pd.Series([1, 2, 0]))
    assert rates.iloc[0] == 0.5 and rates.iloc[1] == 0.0 and pd.isna(rates.iloc[2])


@pytest.mark.parametrize(
    ("promoters", "detractors", "responses", "expected"),
    [
        (0, 0, 5, 0.0),  # passives only
        (0, 4, 4, -100.0),  # all detractors
        (1, 0, 1, 100.0),  # a single promoter
        (3, 2, 6, 100 / 6),  # 50% - 33.3%
        (0, 0, 0, None),  # no answers
    ],
)
def test_nps(promoters, detractors, responses, expected):
    result = measures.nps(promoters, detractors, responses)
    assert result == (pytest.approx(expected) if expected is not None else None)


def test_csat_top_two_box_and_ces_mean():
    assert measures.csat(2, 4) == 50.0
    assert measures.csat(0, 0) is None
    assert measures.ces(6.0, 2) == 3.0


def test_every_tile_is_a_registered_measure_with_a_definition():
    for key in measures.OVERVIEW_TILES:
        m = measures.MEASURES[key]
        assert m.definition and m.label and m.basis_label
