"""The error boundary (issue 21, point 2): one sentence on the page, the traceback in the log."""

from __future__ import annotations

import logging

from streamlit.testing.v1 import AppTest


def _failing_app():
    import streamlit as st

    from dashboard.ui.boundary import boundary

    with boundary("test part"):
        st.write("before")
        raise OverflowError("date value out of range /srv/secret/path.py")
    st.write("after the boundary")


def _stopping_app():
    import streamlit as st

    from dashboard.ui.boundary import boundary

    with boundary("test part"):
        st.write("stopped here")
        st.stop()
    st.write("never shown")


def _page_key_app():
    import streamlit as st

    from dashboard.ui import url_state

    measure = url_state.read("measure", lambda raw: raw if raw in ("nps", "csat") else None, "nps")
    st.write(f"measure {measure}")


def test_a_failure_shows_one_sentence_and_logs_the_traceback(caplog):
    at = AppTest.from_function(_failing_app)
    with caplog.at_level(logging.ERROR, logger="dashboard.ui"):
        at.run(timeout=60)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "This part of the page could not be shown. Reload the page, or clear the filters in the "
        "sidebar; if it keeps failing, tell your admin (the details are in the server log)."
    ]
    shown = " ".join(m.value for m in at.markdown)
    assert "after the boundary" in shown and "secret" not in shown
    assert "test part failed" in caplog.text and "OverflowError" in caplog.text


def test_st_stop_passes_through_the_boundary():
    at = AppTest.from_function(_stopping_app)
    at.run(timeout=60)
    assert not at.exception and not at.error
    assert [m.value for m in at.markdown] == ["stopped here"]


def test_a_page_key_the_page_does_not_offer_gives_the_default_and_a_note():
    at = AppTest.from_function(_page_key_app)
    at.query_params["measure"] = "'; drop table --"
    at.run(timeout=60)
    assert [m.value for m in at.markdown] == ["measure nps"]
    assert [i.value for i in at.info] == [
        "The link's measure is not one this page offers, so the default is shown."
    ]
    good = AppTest.from_function(_page_key_app)
    good.query_params["measure"] = "csat"
    good.run(timeout=60)
    assert [m.value for m in good.markdown] == ["measure csat"] and not good.info
