"""Import: drop CRM exports, check the guessed mapping, see what loads and what not, load."""

import streamlit as st

from dashboard.engines import settings as engine
from dashboard.ui import alert_notes, changes_panel, identity, session, undo_panel
from dashboard.ui import import_panels as view

who = identity.require_import()  # analysts and admins only, even when the URL is typed in
cur = session.cursor()
st.title("Import your CRM data")
st.caption(
    "Exports from HubSpot, Salesforce, Pipedrive, Zoho or Dynamics, or any spreadsheet: CSV/TSV "
    f"(any encoding), Excel .xlsx or Parquet, {view.upload_limit_text()}. Nothing is written "
    "until you press Load."
)
spark_notice = engine.import_notice(session.db_path())
if spark_notice:
    st.info(spark_notice, icon=":material/database:")
    location = engine.parquet_location(session.db_path())
    if engine.is_local(location) and st.button("Export to Parquet", icon=":material/output:"):
        st.toast(f"Exported data version {engine.export_to(cur, location).data_version}.")

uploads = st.file_uploader(
    "Drop one or more files",
    type=["csv", "tsv", "txt", "xlsx", "xlsm", "parquet"],
    accept_multiple_files=True,
    key="uploads",
)
view.sync_uploads(cur, uploads or [])

for file_id, panel in view.panels().items():
    with st.container(border=True):
        view.render_panel(cur, file_id, panel)
view.render_fit(cur)  # two or more files: load order and key overlap

view.all_files_answers()

pending = [
    p
    for p in view.panels().values()
    if p.inspection and p.inspection.conversion is not None and not p.result
]
if pending:
    left, right = st.columns(2)
    all_or_nothing = left.checkbox("All or nothing: load nothing if any row is rejected")
    remove_sample = right.checkbox(
        "Remove the sample data",
        value=True,
        disabled=not view.showing_sample(cur),
        help="Sample and real data never mix silently; the sample can come back with "
        "`crm-dashboard sample`.",
    )
    if st.button(f"Load {len(pending)} file(s)", type="primary", icon=":material/upload:"):
        view.load_all(
            cur, all_or_nothing, remove_sample and view.showing_sample(cur), user=who.person
        )
        st.session_state[changes_panel.JUST_CHANGED] = True
        st.rerun()
alert_notes.show()  # what the alert check after the last load found

if st.session_state.get(changes_panel.JUST_CHANGED):
    changes_panel.render(expanded=True, include_sample=True)

st.subheader("Load history")
history = view.load_history(cur, who.scope)
if history.empty:
    st.caption("Nothing loaded yet.")
else:
    undo_panel.render(cur, history)  # named loads, confirm, a message after, undone greyed
    view.remap_control(cur, history, who.person)
    view.loaded_answers(cur)
