"""The import page's widgets: one panel per dropped file, the load button, the load history.

Everything that reads or writes data goes through dashboard.ingest; this module only keeps the
per-file choices (table, mapping edits, date formats, stage order) in session state and draws.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import duckdb
import pandas as pd
import streamlit as st

from dashboard.core import downloads, formatting, tables
from dashboard.core.filters import Scope
from dashboard.ingest import (
    answers,
    batch,
    expansion,
    formats,
    kept,
    loader,
    profiles,
    remap,
    uploads,
    vendors,
)
from dashboard.ingest.errors import ImportProblem, plain_reason
from dashboard.ingest.fields import TABLES, table_words
from dashboard.ingest.mapping import SKIP
from dashboard.store import sample, warehouse
from dashboard.ui import alert_notes, widgets

STATE_KEY = "import_panels"
_log = logging.getLogger(__name__)


@dataclass
class Choices:
    """What the user changed for one file; re-inspecting applies them."""

    table: str | None = None
    sheet: str | None = None
    overrides: dict[str, str] = field(default_factory=dict)
    date_families: dict[str, str] = field(default_factory=dict)
    stage_map: pd.DataFrame | None = None
    version: int = 0  # bumps so the grids start again from the new mapping

    def key(self) -> tuple:
        stages = None if self.stage_map is None else self.stage_map.to_json()
        return (
            self.table,
            self.sheet,
            tuple(sorted(self.overrides.items())),
            tuple(sorted(self.date_families.items())),
            stages,
        )


@dataclass
class Panel:
    choices: Choices
    inspection: loader.Inspection | None = None
    error: str | None = None
    inspected_for: tuple | None = None
    result: str | None = None


def panels() -> dict[str, Panel]:
    return st.session_state.setdefault(STATE_KEY, {})


def sync_uploads(cur: duckdb.DuckDBPyConnection, uploads: list) -> None:
    """Inspect new or changed files; forget (and clean up) files that were removed."""
    tidy_staged(cur)
    current = {u.file_id: u for u in uploads}
    for file_id in list(panels()):
        if file_id not in current:
            _close(cur, panels().pop(file_id))
    fresh = False
    for file_id, upload in current.items():
        panel = panels().setdefault(file_id, Panel(Choices()))
        if panel.result is None and panel.inspected_for != panel.choices.key():
            _inspect(cur, panel, upload)
            fresh = True
    if fresh and len(current) > 1:
        try:
            _read_with_each_other(cur, current)
        except Exception as exc:  # each file keeps the reading it had on its own
            _log.error("reading files together failed", exc_info=exc)


def _read_with_each_other(cur: duckdb.DuckDBPyConnection, uploads: dict) -> None:
    """Files dropped together: a column naming another file's people, products or accounts
    maps by its values (a deals file's `rep` holding a teams file's `sales_agent` names)."""
    waiting = {fid: p for fid, p in panels().items() if p.inspection and p.result is None}
    by_inspection = {id(p.inspection): fid for fid, p in waiting.items()}

    def again(old: loader.Inspection, shared: dict[str, set[str]]) -> loader.Inspection:
        fid = by_inspection[id(old)]
        return _inspection(cur, waiting[fid].choices, uploads[fid], shared)

    before = [p.inspection for p in waiting.values()]
    after = batch.with_shared(cur, before, again)
    for panel, old, new in zip(waiting.values(), before, after, strict=True):
        if new is not old:
            panel.inspection = new


def _close(cur: duckdb.DuckDBPyConnection, panel: Panel) -> None:
    if panel.inspection is not None:
        loader.close(cur, panel.inspection)
        panel.inspection = None


def _inspect(cur: duckdb.DuckDBPyConnection, panel: Panel, upload) -> None:
    _close(cur, panel)
    c = panel.choices
    try:
        panel.inspection = _inspection(cur, c, upload)
        panel.error = None
    except ImportProblem as exc:
        panel.error = str(exc)
    except Exception as exc:  # a reader's bug must stay in this file's panel, not stop the page
        panel.error = unexpected(upload.name, exc)
    panel.inspected_for = c.key()


def unexpected(name: str, exc: Exception, doing: str = "read") -> str:
    """One sentence for a failure nobody foresaw; the traceback goes to the server log."""
    _log.error("import of %s failed", name, exc_info=exc)
    return (
        f"{name} could not be {doing} ({type(exc).__name__}); remove it from the upload box, "
        "save it again as CSV and drop that (the details are in the server log)."
    )


def _inspection(
    cur: duckdb.DuckDBPyConnection,
    c: Choices,
    upload,
    shared: dict[str, set[str]] | None = None,
) -> loader.Inspection:
    inspection = loader.inspect(
        cur,
        upload.getvalue(),
        upload.name,
        table=c.table,
        sheet=c.sheet,
        overrides=c.overrides or None,
        date_families=c.date_families or None,
        stage_map=c.stage_map,
        allow_incomplete=True,
        shared=shared,
    )
    session_uploads().track(inspection.staged.path)
    return inspection


def session_uploads() -> uploads.SessionUploads:
    """This session's staged copies, deleted when the session ends with files in the box."""
    return st.session_state.setdefault("staged_uploads", uploads.SessionUploads())


def tidy_staged(cur: duckdb.DuckDBPyConnection) -> None:
    """Delete staged copies of sessions long gone or of a process that died (ingest/uploads)."""
    uploads.sweep(warehouse.import_dir(remap.db_path(cur)))


def render_panel(cur: duckdb.DuckDBPyConnection, file_id: str, panel: Panel) -> None:
    """One file's panel; whatever fails in it is shown in it, and the page goes on."""
    try:
        _render_panel(cur, file_id, panel)
    except Exception as exc:
        name = panel.inspection.name if panel.inspection else "This file"
        st.error(unexpected(name, exc, "shown"), icon=":material/error:")


def _render_panel(cur: duckdb.DuckDBPyConnection, file_id: str, panel: Panel) -> None:
    ins = panel.inspection
    if panel.result:
        st.success(panel.result, icon=":material/check_circle:")
        return
    if panel.error:
        st.error(panel.error, icon=":material/error:")
        if ins is None:
            _table_picker(file_id, panel, None)
            return
    _summary(ins)
    _table_picker(file_id, panel, ins)
    if ins.mapping.table is None:  # "don't load": nothing to map
        st.info(ins.problem or "This file will not be loaded.", icon=":material/block:")
        return
    if ins.problem:
        st.warning(ins.problem, icon=":material/rule:")
    _mapping_grid(file_id, panel, ins)
    if ins.conversion is None:
        return
    _date_choices(file_id, panel, ins)
    if ins.mapping.table == "deals" and ins.conversion.stage_map is not None:
        _stage_grid(file_id, panel, ins)
    st.markdown("**Preview** — the first rows as they will be stored")
    preview = expansion.clip_preview(ins.conversion.preview(cur))  # no 200 MB cell to the page
    shown, empty = preview_for_people(preview)
    widgets.table(shown, kinds=_id_kinds(shown), wrap=True)  # 20 rows, wrapped to the page
    if empty:
        st.caption(f"Empty in these rows: {', '.join(empty)}.")
    _validation(cur, file_id, ins)
    file_answers(ins)
    _profile_saver(cur, file_id, ins)


def _summary(ins: loader.Inspection) -> None:
    staged = ins.staged
    how = []
    if staged.encoding:
        how.append(f"text in {staged.encoding}")
    if staged.delimiter:
        how.append(
            "tab-separated" if staged.delimiter == "\t" else f"separated by '{staged.delimiter}'"
        )
    if staged.sheet:
        how.append(f"sheet {staged.sheet!r}")
    st.markdown(
        f"**{staged.name}** · {formatting.count(ins.raw.rows)} rows · "
        f"{', '.join(how) or staged.kind} · written by "
        f"**{loader.describe_vendor(ins.vendor)}** · table "
        f"**{loader.describe_table(ins.mapping)}**"
    )
    if ins.already_loaded_as is not None:
        st.warning(
            f"This exact file is already loaded (load {ins.already_loaded_as}); "
            "loading it again adds nothing.",
            icon=":material/content_copy:",
        )
    for note in ins.notes:
        st.caption(f":material/info: {note}")


def _table_picker(file_id: str, panel: Panel, ins: loader.Inspection | None) -> None:
    # "Don't load this file" comes first and is chosen for a file that fits no table.
    tables = [SKIP, *TABLES]
    current = (ins.mapping.table or SKIP) if ins else (panel.choices.table or tables[1])
    cols = st.columns([2, 2, 3])
    label = "Load into table"
    if ins is not None and ins.mapping.table is not None:
        label += f" (guessed, {ins.mapping.confidence:.0%} sure)"
    chosen = cols[0].selectbox(
        label,
        tables,
        index=tables.index(current),
        format_func=lambda t: "Don't load this file" if t == SKIP else t,
        key=f"table_{file_id}_{panel.choices.version}",
    )
    if ins is not None and ins.staged.sheets:
        sheet = cols[1].selectbox(
            "Sheet",
            ins.staged.sheets,
            index=ins.staged.sheets.index(ins.staged.sheet),
            key=f"sheet_{file_id}_{panel.choices.version}",
        )
        if sheet != ins.staged.sheet:
            _change(panel, sheet=sheet, table=None, overrides={})
    if (ins is None or chosen != (ins.mapping.table or SKIP)) and chosen != panel.choices.table:
        _change(panel, table=chosen, overrides={}, stage_map=None, date_families={})


def _change(panel: Panel, **changes) -> None:
    for name, value in changes.items():
        setattr(panel.choices, name, value)
    panel.choices.version += 1
    st.rerun()


def _mapping_grid(file_id: str, panel: Panel, ins: loader.Inspection) -> None:
    st.markdown("**Column mapping** — change a cell to map another column; empty = not used")
    grid = ins.mapping_rows()
    headers = ins.staged.headers
    derived = [c for c in grid["column"] if c and c not in headers]
    edited = st.data_editor(
        grid.assign(field=grid["field"].map(field_words)),
        key=f"mapping_{file_id}_{panel.choices.version}",
        hide_index=True,
        placeholder=formatting.MISSING,  # not "None" in a column no file column maps to
        width="stretch",
        disabled=["field", "confidence", "why"],
        column_config={
            "field": st.column_config.TextColumn("Field", help=technical_names(grid["field"])),
            "column": st.column_config.SelectboxColumn(
                "File column", options=["", *headers, *derived], required=False
            ),
            "confidence": widgets.confidence_column(),
            "why": st.column_config.TextColumn("Why"),
        },
    )
    changed = {
        before.field: (row.column or "")  # the technical name, not the words shown
        for row, before in zip(edited.itertuples(), grid.itertuples(), strict=True)
        if (row.column or "") != (before.column or "")
    }
    if changed:
        _change(panel, overrides={**panel.choices.overrides, **changed})


def _date_choices(file_id: str, panel: Panel, ins: loader.Inspection) -> None:
    """Ask how to read each column whose every date reads both ways; no answer is preset
    unless the CRM or the configured default decided (then shown to change)."""
    for column in ins.conversion.ambiguous:
        options = ["month_first", "day_first"]
        current = panel.choices.date_families.get(column) or ins.conversion.date_orders.get(column)
        picked = st.radio(
            f"{column}: every date reads both ways (days are all 12 or less). How should it be "
            "read?",
            options,
            index=options.index(current) if current else None,
            horizontal=True,
            format_func=lambda k: formats.FAMILIES[k].label,
            key=f"dates_{file_id}_{column}_{panel.choices.version}",
        )
        if column in ins.conversion.undecided:
            st.warning(
                f"Choose how to read {column} first: nothing from this file loads until then.",
                icon=":material/event:",
            )
        if picked is not None and picked != current:
            _change(panel, date_families={**panel.choices.date_families, column: picked})


def _stage_grid(file_id: str, panel: Panel, ins: loader.Inspection) -> None:
    st.markdown("**Stages** — what each stage means and its place in the pipeline")
    stages = ins.conversion.stage_map
    shown = stages[["raw_stage", "stage", "status", "stage_order", "deals", "status_from"]]
    edited = st.data_editor(
        # A Styler writes the columns no one edits: counts with separators, the source in words.
        shown.style.format(
            {"deals": formatting.count, "status_from": lambda k: STATUS_FROM.get(k, k)}
        ),
        key=f"stages_{file_id}_{panel.choices.version}",
        hide_index=True,
        placeholder=formatting.MISSING,
        width="stretch",
        disabled=["raw_stage", "deals", "status_from"],
        column_config={
            "raw_stage": st.column_config.TextColumn("In the file"),
            "stage": st.column_config.TextColumn("Stage"),
            "status": st.column_config.SelectboxColumn(
                "Means", options=["open", "won", "lost"], required=True
            ),
            "stage_order": st.column_config.NumberColumn("Order", min_value=1, step=1),
            "deals": st.column_config.NumberColumn("Deals in file"),
            # crm / known / words / flags (each row's IsWon/IsClosed) / guess / chosen
            "status_from": st.column_config.TextColumn("Meaning from"),
        },
    )
    columns = ["stage", "status", "stage_order"]
    if not edited[columns].equals(stages[columns]):
        updated = stages.copy()
        updated[columns] = edited[columns].to_numpy()
        # What the person set is a choice: their status overrides the closed/won flags.
        status_set = updated["status"].ne(stages["status"])
        updated.loc[status_set, "status_from"] = "chosen"
        updated.loc[status_set, "by_flags"] = False
        if updated["stage_order"].ne(stages["stage_order"]).any():
            updated["order_from"] = "chosen"
        _change(panel, stage_map=updated)


# Where a stage's meaning came from (ingest/stages.py's status_from), as the grid says it.
STATUS_FROM = {
    "crm": "the CRM's own stages",
    "known": "a pipeline already loaded",
    "words": "the stage's name",
    "status column": "the status column",
    "flags": "the won/closed columns",
    "guess": "a guess: check it",
    "chosen": "set by you",
}


def field_words(name: str) -> str:
    """A canonical field as the grid shows it: 'created_at' -> 'Created', 'deal_id' ->
    'Deal ID', 'entered:Demo' -> 'Entered Demo' (the technical name is in the help)."""
    if name.startswith("entered:"):
        return f"Entered {name.removeprefix('entered:')}"
    return tables.header(name)


def technical_names(fields: pd.Series) -> str:
    """The Field column's help: each field's words beside the name `--map` and profiles use."""
    lines = [f"- {field_words(f)}: `{f}`" for f in fields if not str(f).startswith("entered:")]
    return "The dashboard's field. The name `crm-dashboard import --map` takes:\n" + "\n".join(
        lines
    )


def preview_for_people(preview: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The preview without its columns empty in every row shown (named in a caption instead,
    so the rest fit the page at 1440 px), and those columns' headers."""
    if preview.empty:
        return preview, []
    blank = preview.isna() | preview.astype(str).apply(lambda c: c.str.strip().eq(""))
    empty = [c for c in preview.columns if blank[c].all()]
    return preview.drop(columns=empty), [tables.header(c) for c in empty]


def _id_kinds(frame: pd.DataFrame) -> dict[str, str]:
    """Keys and line numbers are labels: 'D1001', '1001', never '1,001'."""
    return {c: "text" for c in frame.columns if str(c).endswith("_id") or c == "line"}


def _validation(cur: duckdb.DuckDBPyConnection, file_id: str, ins: loader.Inspection) -> None:
    ok, bad = ins.rows_ok, ins.rows_rejected
    st.markdown(
        f"**Check** — {formatting.count(ok)} rows will load, "
        f"{formatting.count(bad)} will be rejected"
    )
    if bad:
        rejected = ins.conversion.rejected(cur)
        shown = expansion.clip_preview(rejected.head(500))
        widgets.table(shown, kinds={"line": "text", "value": "text"}, wrap=True)
        st.download_button(
            "Download the rejected rows (CSV)",
            downloads.safe_csv(rejected),
            file_name=f"rejected-{ins.name}.csv",
            mime="text/csv",
            key=f"rejects_{file_id}",
        )


def _profile_saver(cur: duckdb.DuckDBPyConnection, file_id: str, ins: loader.Inspection) -> None:
    with st.popover("Save this mapping as a profile", icon=":material/bookmark_add:"):
        st.caption("A profile is applied by itself to the next file with the same columns.")
        name = st.text_input("Profile name", key=f"profile_{file_id}", max_chars=100)
        if st.button("Save profile", key=f"save_profile_{file_id}", disabled=not name):
            try:
                profiles.save(cur, name, ins.staged.headers, ins.mapping, ins.vendor.vendor)
                st.success(f"Saved profile {name!r}.")
            except ImportProblem as exc:
                st.error(str(exc))


def load_all(
    cur: duckdb.DuckDBPyConnection,
    all_or_nothing: bool,
    remove_sample: bool,
    user: str | None = None,
) -> None:
    """Load every inspected file as one export (dashboard/ingest/batch.py): in dependency
    order, rows linked to the batch's accounts, one load per file, all in one transaction, with
    a progress bar. `user` is the signed-in person recorded in the load history (None: the
    server's OS user)."""
    ready = _ready()
    by_inspection = {id(p.inspection): p for p in ready}
    ordered = batch.in_load_order([p.inspection for p in ready])
    bar = st.progress(0.0, text="Loading…")

    def step(fraction: float, text: str) -> None:
        bar.progress(fraction, text=text)

    try:
        batch.link_accounts(cur, ordered)
        results = batch.commit_all(
            cur,
            ordered,
            all_or_nothing=all_or_nothing,
            remove_sample=remove_sample,
            progress=step,
            user=user,
        )
    except (ImportProblem, warehouse.WarehouseError, duckdb.Error) as exc:
        reason = plain_reason(exc) if isinstance(exc, duckdb.Error) else str(exc).splitlines()[0]
        named = getattr(exc, "file", None)
        for panel in ready:
            if named is None or panel.inspection.name == named:
                panel.error = reason
            else:
                panel.error = (
                    f"Not loaded: {named} could not load, and files dropped together load "
                    "together or not at all."
                )
        bar.empty()
        return
    for ins, result in zip(ordered, results, strict=True):
        panel = by_inspection[id(ins)]
        panel.result = result.message
        _close(cur, panel)
    bar.empty()
    if any(result.load_id is not None for result in results):
        alert_notes.check_after_load(cur, user)


def _ready() -> list[Panel]:
    return [
        p
        for p in panels().values()
        if p.inspection and p.inspection.conversion is not None and not p.result
    ]


def render_fit(cur: duckdb.DuckDBPyConnection) -> None:
    """How the dropped files fit together: the order they load in and the key overlap (deals
    to accounts, owners to the teams file, product names to the products file). Shown when
    two or more files are ready."""
    ready = _ready()
    if len(ready) < 2:
        return
    ordered = batch.in_load_order([p.inspection for p in ready])
    with st.container(border=True):
        st.markdown("**How these files fit together**")
        st.markdown(
            "They load as one export, in this order: "
            + " → ".join(f"{i.name} ({table_words(i.mapping.table)})" for i in ordered)
            + ". Each file is its own load in the history (undo them one by one), but they "
            "load together or not at all."
        )
        found = batch.overlaps(cur, ordered)
        for overlap in found:
            icon = "check_circle" if overlap.matched == overlap.total else "link_off"
            st.markdown(f":material/{icon}: {overlap.sentence()}")
        if not found:
            st.caption(
                "No key links these files: no deals or orders name an account, owner or "
                "product of another file here."
            )


def showing_sample(cur: duckdb.DuckDBPyConnection) -> bool:
    return sample.showing_sample_only(cur)


# The load history's columns as the import page labels them, in the order it shows them.
HISTORY_LABELS = {
    "load_id": "load",
    "file_name": "file",
    "source": "source",
    "vendor": "vendor",
    "table_names": "tables",
    "rows_loaded": "rows",
    "rows_rejected": "rejected",
    "user_name": "user",
    "loaded_at": "loaded",
    "undone_at": "undone",
    "state": "state",  # in effect, undone, or remapped as load N
}


def load_history(cur: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Every load, undone ones too, newest first (for a reader whose scope is everything)."""
    history = warehouse.load_history(cur, include_undone=True, scope=scope, table_separator="|")
    # In words, like the headers: "deals, stage history", "HubSpot", never `deal_stage_history`
    # or `generic` in a cell.
    history["table_names"] = [
        v if pd.isna(v) else ", ".join(table_words(t) for t in v.split("|") if t)
        for v in history["table_names"]
    ]
    history["vendor"] = history["vendor"].map(vendors.vendor_words, na_action="ignore")
    return history[list(HISTORY_LABELS)].rename(columns=HISTORY_LABELS)


def undo(cur: duckdb.DuckDBPyConnection, load_id: int) -> str:
    try:
        removed = warehouse.undo_load(cur, load_id)
    except warehouse.WarehouseError as exc:
        return str(exc)
    kept.forget(warehouse.import_dir(remap.db_path(cur)), load_id)
    return f"Undid load {load_id}: {removed:,} rows removed, what it replaced restored."


def upload_limit_text() -> str:
    return f"up to {uploads.max_upload_mb():,} MB each"


# What the files can answer (issue 17): before loading under each file and for all of them,
# after loading for the data in effect; the lines come from ingest/answers.py.


def _mapped(ins: loader.Inspection) -> answers.MappedFile:
    return answers.MappedFile(ins.name, ins.mapping, ins.staged.headers)


def _answer_lines(found: list[answers.Answer]) -> None:
    for line in answers.lines(found):
        empty = " — " in line
        icon = ":material/block:" if empty else ":material/check:"
        st.markdown(f"{icon} {line}")


def file_answers(ins: loader.Inspection) -> None:
    """Under a file: which pages and tiles it feeds, which stay empty and what to map."""
    found = answers.before_loading([_mapped(ins)])
    empty = sum(a.why is not None for a in found)
    with st.expander(f"What this file can answer ({empty} tiles and charts stay empty)"):
        _answer_lines(found)


def all_files_answers() -> None:
    """The files dropped together, as one export."""
    ready = [p.inspection for p in panels().values() if p.inspection and not p.result]
    if len(ready) < 2:
        return
    st.subheader("What these files can answer together")
    _answer_lines(answers.before_loading([_mapped(i) for i in ready]))


def loaded_answers(cur: duckdb.DuckDBPyConnection) -> None:
    """After loading: what the data in effect answers, and what to map (or remap) for the rest."""
    with st.expander("What the data loaded can answer"):
        _answer_lines(answers.after_loading(cur))


# Remap a past load from its kept file: pick it, edit its mapping, load it again.
REMAP_KEY = "import_remap"
REMAP_DONE = "import_remap_done"


@dataclass
class RemapState:
    load_id: int
    overrides: dict[str, str] = field(default_factory=dict)
    inspection: loader.Inspection | None = None
    error: str | None = None
    inspected_for: tuple | None = None
    version: int = 0


def remappable(history: pd.DataFrame) -> list[int]:
    """Loads in effect that came from an imported file (the history as load_history labels it)."""
    keep = history["undone"].isna() & (history["source"] == "import")
    return [int(x) for x in history.loc[keep, "load"]]


def _remap_state(cur: duckdb.DuckDBPyConnection, load_id: int | None) -> RemapState | None:
    state = st.session_state.get(REMAP_KEY)
    if state is not None and state.load_id != load_id:
        if state.inspection is not None:
            loader.close(cur, state.inspection)
        state = None
    if state is None and load_id is not None:
        state = RemapState(load_id)
    st.session_state[REMAP_KEY] = state
    return state


def _remap_inspect(cur: duckdb.DuckDBPyConnection, state: RemapState) -> None:
    key = tuple(sorted(state.overrides.items()))
    if state.inspected_for == key:
        return
    if state.inspection is not None:
        loader.close(cur, state.inspection)
        state.inspection = None
    try:
        state.inspection = remap.inspect(cur, state.load_id, state.overrides, allow_incomplete=True)
        state.error = None
    except ImportProblem as exc:
        state.error = str(exc)
    state.inspected_for = key


def remap_control(cur: duckdb.DuckDBPyConnection, history: pd.DataFrame, user: str | None) -> None:
    """Pick a past load, edit its mapping grid and load it again with it, replacing it in one
    step (undo the new load to go back)."""
    if REMAP_DONE in st.session_state:
        st.success(st.session_state.pop(REMAP_DONE), icon=":material/check_circle:")
    choices = remappable(history)
    if not choices:
        return
    chosen = st.selectbox(
        "Remap a load (change its mapping without uploading the file again)",
        choices,
        index=None,
        placeholder="Pick a load",
        key="remap_load",
    )
    state = _remap_state(cur, chosen)
    if state is None:
        return
    _remap_inspect(cur, state)
    if state.error:
        st.error(state.error, icon=":material/error:")
        return
    ins = state.inspection
    if ins.problem:
        st.warning(ins.problem, icon=":material/rule:")
    grid = ins.mapping_rows()
    edited = st.data_editor(
        grid,
        key=f"remap_grid_{state.load_id}_{state.version}",
        hide_index=True,
        width="stretch",
        disabled=["field", "confidence", "why"],
        column_config={
            "column": st.column_config.SelectboxColumn(
                "File column", options=["", *ins.staged.headers], required=False
            ),
            "confidence": widgets.confidence_column(),
        },
    )
    changed = {
        before.field: (row.column or "")  # the technical name, not the words shown
        for row, before in zip(edited.itertuples(), grid.itertuples(), strict=True)
        if (row.column or "") != (before.column or "")
    }
    if changed:
        state.overrides = {**state.overrides, **changed}
        state.version += 1
        st.rerun()
    if ins.conversion is not None:
        st.caption(
            f"{formatting.count(ins.rows_ok)} rows will load, "
            f"{formatting.count(ins.rows_rejected)} will be rejected."
        )
    file_answers(ins)
    if st.button(
        "Load again with this mapping",
        icon=":material/sync:",
        disabled=ins.conversion is None,
        key="remap_go",
    ):
        try:
            st.session_state[REMAP_DONE] = remap.commit(cur, state.load_id, ins, user).message
            alert_notes.check_after_load(cur, user)
            st.session_state.pop("remap_load", None)
        except (ImportProblem, warehouse.WarehouseError) as exc:
            state.error = str(exc).splitlines()[0]
        except duckdb.Error as exc:
            state.error = plain_reason(exc)
        loader.close(cur, ins)
        state.inspection = None
        st.rerun()
