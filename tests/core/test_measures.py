"""The measure definitions: one each, exact on small numbers."""

import numpy as np
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


def test_arrays_give_exactly_what_series_give():
    """satisfaction's with_scores passes float arrays (issue 18: pandas' overhead per
    operation); every value, NaN included, must be the Series path's, bit for bit. By hand:
    n 0 -> NaN everywhere; n 1 -> no CES margin (n - 1 = 0 is undefined: NaN); n 4 with 2
    promoters, 1 detractor -> NPS 100 * (2 - 1) / 4 = 25."""
    n = [0.0, 1.0, 2.0, 4.0, 30.0]
    promoters, detractors, satisfied = [0.0, 1, 0, 2, 20], [0.0, 0, 2, 1, 3], [0.0, 1, 1, 3, 29]
    score_sum, score_squares = [0.0, 5, 7, 14, 150], [0.0, 25, 25, 54, 800]
    calls = [
        (measures.ratio, (satisfied, n)),
        (measures.nps, (promoters, detractors, n)),
        (measures.csat, (satisfied, n)),
        (measures.ces, (score_sum, n)),
        (measures.nps_margin, (promoters, detractors, n)),
        (measures.csat_margin, (satisfied, n)),
        (measures.ces_margin, (score_sum, score_squares, n)),
    ]
    for fn, args in calls:
        series = fn(*(pd.Series(a, dtype=float) for a in args)).to_numpy()
        array = fn(*(np.array(a, dtype=float) for a in args))
        assert isinstance(array, np.ndarray), fn.__name__
        np.testing.assert_array_equal(array, series, err_msg=fn.__name__, strict=True)
    assert measures.nps(np.array([2.0]), np.array([1.0]), np.array([4.0]))[0] == 25
