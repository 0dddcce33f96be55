"""Numbers for people: `$1.2M`, `63.2%`, `57 days`, `1,234`. Raw floats never reach a screen.

Babel does the locale work (compact currency, grouping) so that a locale setting later is a
one-line change rather than a rewrite.
"""

from __future__ import annotations

import math

from babel.numbers import format_decimal, get_currency_symbol

LOCALE = "en_US"
MISSING = "—"
MINUS = "\u2212"  # "−": every negative number the product writes, never a hyphen ("-3.2")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def signed(text: str) -> str:
    """The one place a written number gets its sign: a leading hyphen becomes the minus sign
    "−" ("-3.2 pts" -> "−3.2 pts", "-$2.5K" -> "−$2.5K"), and a negative that rounds to zero
    loses it ("-0" -> "0", "-0.0%" -> "0.0%"). Every formatter here ends with it."""
    if not text.startswith("-"):
        return text
    if not any(c in "123456789" for c in text):
        return text[1:]
    return MINUS + text[1:]


# Compact money steps, largest first. One decimal at every step ("$10.0M" beside "$133.3M",
# never "$10M"), and no SI prefixes: plotly's "~s" writes 0.2 as "200m" (milli), which a
# manager reads as 200 million.
_MONEY_STEPS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def money(value: float | None, currency: str = "USD") -> str:
    """One money format for tiles, axes, hover and tables: "$950", "$427.9K", "$10.0M".

    Below a thousand, whole units with grouping; above, one decimal and K/M/B/T. A value that
    rounds up to the next step moves to it ($999,960 is "$1.0M", not "$1,000.0K")."""
    if _missing(value):
        return MISSING
    number = float(value)
    sign = MINUS if number < 0 else ""
    size = abs(number)
    symbol = get_currency_symbol(currency, locale=LOCALE)
    for i, (step, suffix) in enumerate(_MONEY_STEPS):
        if round(size / step, 1) >= 1:
            if i and round(size / step, 1) >= 1000:
                step, suffix = _MONEY_STEPS[i - 1]
            return f"{sign}{symbol}{size / step:,.1f}{suffix}"
    whole = round(size)
    return f"{sign if whole else ''}{symbol}{format_decimal(whole, locale=LOCALE)}"


def money_ticks(values, count: int = 5, currency: str = "USD") -> dict:
    """Tick positions and labels for a money axis, written by `money` (plotly's own money
    formats disagree with the tiles and read 0.2 as "200m"). All-zero or no values give one
    tick at $0 instead of plotly's invented "$0 … $1" scale. Spread as `yaxis=dict(**...)`."""
    known = [float(v) for v in values if not _missing(v)]
    top = max([0.0, *known])
    if top <= 0:
        return {
            "tickmode": "array",
            "tickvals": [0],
            "ticktext": [money(0, currency)],
            "range": [0, 1],
        }
    step = _nice_step(top / count)
    ticks = [i * step for i in range(int(math.ceil(top / step)) + 1)]
    return {
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": [money(t, currency) for t in ticks],
        "range": [0, ticks[-1] * 1.02],
    }


def _nice_step(rough: float) -> float:
    """The 1-2-2.5-5 step at or above `rough` (the steps a person counts in)."""
    power = 10 ** math.floor(math.log10(rough))
    for nice in (1, 2, 2.5, 5, 10):
        if nice * power >= rough:
            return nice * power
    return 10 * power


def count(value: float | None) -> str:
    if _missing(value):
        return MISSING
    return signed(format_decimal(round(float(value)), locale=LOCALE))


def ratio(value: float | None) -> str:
    """A 0–1 share as a percentage with one decimal."""
    return MISSING if _missing(value) else signed(f"{100 * float(value):.1f}%")


def percent(value: float | None) -> str:
    """A value already on a 0–100 scale."""
    return MISSING if _missing(value) else signed(f"{float(value):.1f}%")


def score(value: float | None) -> str:
    """NPS-like scores from −100 to 100, whole points."""
    return MISSING if _missing(value) else signed(f"{float(value):.0f}")


def days(value: float | None) -> str:
    if _missing(value):
        return MISSING
    whole = round(float(value))
    return signed(f"{whole:,} day" if whole == 1 else f"{whole:,} days")


def mean(value: float | None) -> str:
    return MISSING if _missing(value) else signed(f"{float(value):.2f}")


FORMATTERS = {
    "money": money,
    "count": count,
    "ratio": ratio,
    "percent": percent,
    "score": score,
    "days": days,
    "mean": mean,
}


def delta(current: float | None, previous: float | None, unit: str) -> str | None:
    """The change vs the previous period in the unit's own terms, or None if not comparable.

    Amounts and counts change by a relative %, shares by percentage points, scores by
    points, durations by days.
    """
    if _missing(current) or _missing(previous):
        return None
    diff = float(current) - float(previous)
    if unit in ("money", "count"):
        if previous == 0:
            return None
        return _change_sign(f"{100 * diff / abs(float(previous)):+.1f}%")
    if unit == "ratio":
        return _change_sign(f"{100 * diff:+.1f} pts")
    if unit in ("percent", "score"):
        return _change_sign(f"{diff:+.1f} pts")
    if unit == "days":
        return _signed_days(diff)
    return _change_sign(f"{diff:+.2f}")


def _change_sign(text: str) -> str:
    """A change keeps its sign ("+4.5 pts", "−2.3%"); one that rounds to nothing reads "+0.0"
    (formatting.is_no_change, then tiles.delta_shown, say "no change")."""
    if text.startswith("-") and not any(c in "123456789" for c in text):
        return "+" + text[1:]
    return signed(text)


def _signed_days(diff: float) -> str:
    """ "+1 day", "-3 days": the unit agrees in number with the (rounded) change."""
    whole = round(diff)
    return _change_sign(f"{whole:+,} day" if abs(whole) == 1 else f"{whole:+,} days")


_SINGULAR = {"deals": "deal", "responses": "response", "customers": "customer", "days": "day"}


def counted(n: float | None, label: str) -> str:
    """'1 won deal', '2,859 won deals': a count and its noun phrase, agreeing in number (the
    labels in measures.py are plural)."""
    if _missing(n):
        return f"{MISSING} {label}"
    if round(float(n)) == 1:
        label = " ".join(_SINGULAR.get(word, word) for word in label.split(" "))
    return f"{count(n)} {label}"


NO_CHANGE = "no change"


def is_no_change(text: str | None) -> bool:
    """Whether a delta from `delta` shows no change once rounded ("+0 days", "-0.0 pts")."""
    if text is None:
        return False
    if text == NO_CHANGE:
        return True
    digits = [c for c in text if c.isdigit()]
    return bool(digits) and all(c == "0" for c in digits)


def within_noise(text: str, margin_text: str) -> str:
    """A change no larger than its margin of error, said so: "+14.5 pts · within noise (±18)"."""
    return f"{text} · within noise ({margin_text})"


def beyond_noise(text: str, margin_text: str) -> str:
    """A change larger than its margin of error, said so: "+19 · beyond noise (±7)"."""
    return f"{text} · beyond noise ({margin_text})"


NO_NOISE_TEST = "no noise test for this figure"


def untested(text: str) -> str:
    """A change no noise test judges, said so: "+2.3% · no noise test for this figure"."""
    return f"{text} · {NO_NOISE_TEST}"
