"""Only the young tail of the funnel trend is shaded "still maturing" (issue 19, point 6)."""

import pandas as pd

from dashboard.analytics.funnel.data import maturing_threshold, trailing_run


def test_only_the_last_months_in_a_row_are_maturing():
    # Jan has stale open deals, Feb-Mar settled, Apr-May young: only Apr-May shade.
    flags = pd.Series([True, False, False, True, True])
    assert trailing_run(flags).tolist() == [False, False, False, True, True]
    assert trailing_run(pd.Series([False, True, False])).tolist() == [False, False, False]
    assert trailing_run(pd.Series([True, True])).tolist() == [True, True]  # all young: all


def test_an_export_that_keeps_deals_open_for_ever_raises_the_bar():
    # Every month 30% open (stale deals never closed): twice the median = 60%, so only a
    # month well above the usual share (75%) is maturing; a clean export keeps 5%.
    stale = pd.Series([0.30, 0.31, 0.29, 0.30, 0.75])
    assert maturing_threshold(stale) == 0.60
    assert trailing_run(stale > maturing_threshold(stale)).tolist() == [False] * 4 + [True]
    assert maturing_threshold(pd.Series([0.0, 0.0, 0.01, 0.5])) == 0.05
