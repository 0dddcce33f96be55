"""Download names say page, table, filters and period (issue 19, point 9)."""

from datetime import date

from dashboard.core import filenames
from dashboard.core.filenames import csv_name
from dashboard.core.filters import Filters


def test_name_carries_page_table_filters_and_period():
    q1 = Filters(date(2026, 1, 1), date(2026, 3, 31), segments=("SMB",))
    assert (
        csv_name("Funnel", "deals_that_went_no_further", q1)
        == "funnel-deals-that-went-no-further_segment-SMB_2026-01-01_2026-03-31.csv"
    )


def test_all_time_several_values_and_unsafe_characters():
    chosen = Filters(regions=("EMEA", "North America"), owners=("Ann/../x",))
    assert (
        csv_name("Four-C health", "health_by_segment", chosen)
        == "four-c-health-health-by-segment_region-EMEA+North-America_owner-Ann-..-x_all-time.csv"
    )
    assert csv_name("", "", Filters()) == "table_all-time.csv"  # never an empty name


def test_a_page_pdf_is_named_like_its_csvs():
    # Health page, SMB, Q1 2026: page, filter and dates, '.pdf'.
    chosen = Filters(date(2026, 1, 1), date(2026, 3, 31), segments=("SMB",))
    assert filenames.pdf_name("health", chosen) == "health_segment-SMB_2026-01-01_2026-03-31.pdf"
