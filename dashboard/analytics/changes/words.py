"""What changed, in sentences: the panel's lines and `crm-dashboard changes --format table`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dashboard.core import formatting, measures

STATUS_WORDS = {"won": "won", "lost": "lost", "reopened": "reopened (back to open)"}


@dataclass(frozen=True)
class Line:
    """One line of the panel: its words and the page (with filters) that shows it."""

    text: str
    link: str | None = None


def headline(result: dict) -> str:
    """'Since deals.csv, loaded 2 Dec 2026 10:40 by ana' (an undo says so; several loads are
    named together; a manager, who is not told file names, gets the load numbers)."""
    files = result["files"]
    names = ", ".join(f["file_name"] or f"load {f['load_id']}" for f in files)
    people = sorted({f["user_name"] for f in files if f["user_name"]})
    by = f" by {', '.join(people)}" if people else ""
    if result["event"] == "undo":
        return f"Since {names} was undone, {_when(files[0]['undone_at'])}"
    loads = result["loads"]
    more = f" (and {len(loads) - len(files)} later loads)" if len(loads) > len(files) else ""
    return f"Since {names}{more}, loaded {_when(files[0]['loaded_at'])}{by}"


def _when(text: str | None) -> str:
    if not text:
        return "at an unknown time"
    return datetime.fromisoformat(text).strftime("%-d %b %Y %H:%M")


def kpi_lines(result: dict, which: str) -> list[Line]:
    """'Won amount: $1.2M → $1.4M (+16.7%)' for each overview tile; which = 'all_time' or
    'period'. Nothing when the KPIs before were not kept."""
    before, after = result["kpis_before"], result["kpis_after"]
    if before is None:
        return []
    lines = []
    for key in measures.OVERVIEW_TILES:
        m = measures.MEASURES[key]
        fmt = formatting.FORMATTERS[m.unit]
        old, new = before[which].get(key), after[which].get(key)
        if old == new:
            continue
        if fmt(old) == fmt(new) and old is not None and new is not None:
            text = f"{m.label}: {fmt(new)} ({'up' if new > old else 'down'} slightly)"
        else:
            moved = formatting.delta(new, old, m.unit)
            text = f"{m.label}: {fmt(old)} → {fmt(new)}" + (f" ({moved})" if moved else "")
        lines.append(Line(text, result["links"]["kpis"]))
    return lines


def period_words(result: dict) -> str:
    after = result["kpis_after"]
    start, end = after.get("period_start"), after.get("period_end")
    if not start:
        return "the default period (no dated rows)"
    return f"{_day(start)} – {_day(end)}"


def _day(text: str) -> str:
    return datetime.fromisoformat(text).strftime("%-d %b %Y")


def deal_lines(result: dict) -> list[Line]:
    """Deals added/updated/removed, stage moves, status changes, new competitors, movers."""
    links = result["links"]
    counts = [
        f"{formatting.count(result[f'deals_{kind}'])} {kind}"
        for kind in ("added", "updated", "removed")
    ]
    lines = [Line("Deals: " + ", ".join(counts), links["deals"])]
    for move in result["stage_moves"]:
        lines.append(
            Line(
                f"{_deals(move['deals'])} moved {move['from'] or '(no stage)'} → "
                f"{move['to'] or '(no stage)'}",
                links["stage_moves"],
            )
        )
    for status, n in result["status_changes"].items():
        if n:
            lines.append(Line(f"{_deals(n)} {STATUS_WORDS[status]}", links["status_changes"]))
    if result["new_competitors"]:
        names = ", ".join(result["new_competitors"])
        lines.append(Line(f"New competitors named: {names}", links["new_competitors"]))
    for mover in result["biggest_movers"]:
        name = mover["deal_name"] or mover["deal_id"]
        change = formatting.money(abs(mover["amount_change"]))
        sign = "+" if mover["amount_change"] > 0 else "−"
        lines.append(Line(f"{name} ({mover['change']}): {sign}{change}", mover["link"]))
    return lines


def _deals(n: int) -> str:
    return f"{formatting.count(n)} deal" if n == 1 else f"{formatting.count(n)} deals"


def as_text(result: dict) -> str:
    """The whole report as plain text (the CLI's table format)."""
    out = [headline(result)]
    for which, title in (
        ("all_time", "KPIs, all time"),
        ("period", "KPIs, " + period_words(result)),
    ):
        lines = kpi_lines(result, which)
        if lines:
            out.append(f"{title}:")
            out += [f"  {line.text}" for line in lines]
    if result["kpis_before"] is not None and not kpi_lines(result, "all_time"):
        out.append("KPIs: no change")
    out += [line.text for line in deal_lines(result)]
    out += result["notes"]
    return "\n".join(out)
