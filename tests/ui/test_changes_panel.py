"""The panel's Markdown: names from the data are text, never links, maths or formatting."""

from dashboard.analytics.changes.words import Line
from dashboard.ui import changes_panel


def test_names_from_the_data_cannot_make_links_or_maths():
    hostile = "[click](javascript:alert(1)) *bold* $x$ <b>"
    text = changes_panel._md(hostile)
    # Every bracket, star, dollar and angle bracket is escaped.
    assert text == r"\[click\]\(javascript\:alert\(1\)\) \*bold\* \$x\$ \<b\>"
    line = changes_panel._line(Line(f"{hostile} (added): +$5K", "funnel?period=all&owner=A"))
    assert line.startswith(r"- [\[click\]") and line.endswith("](funnel?period=all&owner=A)")
    assert changes_panel._line(Line("No link")) == "- No link"
