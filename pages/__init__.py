"""The Streamlit pages, run by path from the entry script (dashboard/ui/app.py)."""
