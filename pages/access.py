"""Access (admins): who may see what, from the roles file, and how identity is decided."""

import os

import pandas as pd
import streamlit as st

from dashboard.core import access, coverage
from dashboard.ui import identity, session, widgets

who = identity.require_admin()
st.title("Access")
SOURCES = {
    "oidc": "Streamlit sign-in (OIDC): the person is the signed-in email.",
    "header": f"Trusted proxy header {os.environ.get(identity.HEADER_ENV, '')!r}: safe only "
    "behind a proxy that sets it on every request.",
    "local": "Local single-user mode: no sign-in, everyone who reaches the app is the admin.",
}
st.write(f"**Identity:** {SOURCES[identity.source()]}")
path = access.configured_path()
if path is None:
    st.info(
        f"No roles file (${access.ROLES_ENV} is not set): every user is an admin. "
        "See README, Roles and scope, to add one.",
        icon=":material/info:",
    )
    st.stop()
st.write(f"**Roles file:** `{path}` (re-read when it changes)")
try:
    roles = access.load(path)
except access.RolesFileError as error:
    st.error(f"{error} Until it is fixed nobody has access.")
    st.stop()
known = coverage.filter_values(session.cursor())  # admins see everything: all values
rows = pd.DataFrame(access.grants_rows(roles, known))
widgets.table(rows)
st.caption(
    "Viewers see every page over all data; managers only the accounts in their segments and "
    "regions and the deals and accounts of their teams' owners (all, when several are given); "
    "analysts and admins may also import and undo "
    "loads. Anyone not listed sees nothing."
)
