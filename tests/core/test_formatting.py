from dashboard.core import formatting as fmt


def test_numbers_for_people():
    assert fmt.money(1_234_567) == "$1.2M"
    assert fmt.money(950) == "$950"
    assert fmt.count(12345) == "12,345"
    assert fmt.ratio(0.6321) == "63.2%"
    assert fmt.percent(66.75) == "66.8%"
    assert fmt.days(57.4) == "57 days"
    assert fmt.days(1) == "1 day"
    assert fmt.score(-12.6) == "-13"
    assert fmt.money(None) == fmt.ratio(float("nan")) == "—"


def test_delta_in_each_units_terms():
    assert fmt.delta(120, 100, "money") == "+20.0%"
    assert fmt.delta(0.55, 0.5, "ratio") == "+5.0 pts"
    assert fmt.delta(20, 32, "score") == "-12.0 pts"
    assert fmt.delta(40, 45, "days") == "-5 days"
    assert fmt.delta(5, 0, "count") is None  # no base to compare with
    assert fmt.delta(None, 3, "count") is None
