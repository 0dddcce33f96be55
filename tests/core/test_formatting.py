from dashboard.core import formatting as fmt


def test_numbers_for_people():
    assert fmt.money(1_234_567) == "$1.2M"
    assert fmt.money(950) == "$950"
    assert fmt.count(12345) == "12,345"
    assert fmt.ratio(0.6321) == "63.2%"
    assert fmt.percent(66.75) == "66.8%"
    assert fmt.days(57.4) == "57 days"
    assert fmt.days(1) == "1 day"
    assert fmt.score(-12.6) == "−13"
    assert fmt.money(None) == fmt.ratio(float("nan")) == "—"


def test_delta_in_each_units_terms():
    assert fmt.delta(120, 100, "money") == "+20.0%"
    assert fmt.delta(0.55, 0.5, "ratio") == "+5.0 pts"
    assert fmt.delta(20, 32, "score") == "−12.0 pts"
    assert fmt.delta(40, 45, "days") == "−5 days"
    assert fmt.delta(5, 0, "count") is None  # no base to compare with
    assert fmt.delta(None, 3, "count") is None


def test_one_money_format_with_consistent_precision():
    # Issue 19 point 1: "$10M" sat beside "$133.3M"; every step now has one decimal.
    assert fmt.money(10_000_000) == "$10.0M"
    assert fmt.money(133_300_000) == "$133.3M"
    assert fmt.money(427_900) == "$427.9K"
    assert fmt.money(2_500_000_000) == "$2.5B"
    assert fmt.money(0) == "$0"
    assert fmt.money(-2_500) == "−$2.5K"
    # 999,960 rounds to 1,000.0K: it moves up a step instead.
    assert fmt.money(999_960) == "$1.0M"


def test_money_axis_ticks_are_written_by_the_same_formatter():
    # Plotly's "~s" wrote 0.2 as "200m": all-zero amounts read "$0, $200m … $800m, $1".
    zero = fmt.money_ticks([0, 0, 0])
    assert zero["ticktext"] == ["$0"] and zero["tickvals"] == [0]
    # Max 14.3M over 5 ticks: rough step 2.86M -> nice step 5M -> 0, 5M, 10M, 15M.
    ticks = fmt.money_ticks([8_000_000, 14_300_000, None])
    assert ticks["tickvals"] == [0, 5_000_000, 10_000_000, 15_000_000]
    assert ticks["ticktext"] == ["$0", "$5.0M", "$10.0M", "$15.0M"]
    # Max 900: rough step 180 -> 200: 0, 200, ..., 1,000 ("$1.0K" at the top).
    assert fmt.money_ticks([900])["ticktext"] == ["$0", "$200", "$400", "$600", "$800", "$1.0K"]


def test_counts_agree_with_their_noun():
    # The zero-amount export showed "1 won deals" and "1 customers in all" (issue 19).
    assert fmt.counted(1, "won deals") == "1 won deal"
    assert fmt.counted(1, "customers in all") == "1 customer in all"
    assert fmt.counted(2859, "won deals") == "2,859 won deals"
    assert fmt.counted(0, "responses") == "0 responses"


def test_change_units_agree_in_number_and_zero_is_no_change():
    assert fmt.delta(50, 49, "days") == "+1 day"
    assert fmt.delta(48, 49, "days") == "−1 day"
    assert fmt.delta(52, 49, "days") == "+3 days"
    assert fmt.is_no_change(fmt.delta(49.2, 49, "days"))  # "+0 days"
    assert fmt.is_no_change(fmt.delta(0.5, 0.5, "ratio"))  # "+0.0 pts"
    assert not fmt.is_no_change(fmt.delta(120, 100, "money"))
    assert not fmt.is_no_change(None)


def test_negative_numbers_take_the_minus_sign_never_a_hyphen():
    # fix19a point 6: satisfaction and competitor hovers wrote "-3.2"; one formatter signs.
    assert fmt.mean(-3.2) == "−3.20" and fmt.score(-3.2) == "−3"
    assert fmt.ratio(-0.032) == "−3.2%" and fmt.percent(-3.2) == "−3.2%"
    assert fmt.count(-1234) == "−1,234" and fmt.days(-2) == "−2 days"
    assert fmt.delta(0.30, 0.332, "ratio") == "−3.2 pts" and fmt.delta(1, 2, "count") == "−50.0%"
    # A negative that rounds to nothing has no sign; a change that does reads "+0".
    assert fmt.score(-0.3) == "0" and fmt.ratio(-0.0001) == "0.0%" and fmt.money(-0.2) == "$0"
    assert fmt.delta(0.5, 0.5001, "ratio") == "+0.0 pts"
    assert fmt.signed("-3.2") == "−3.2" == fmt.MINUS + "3.2"
