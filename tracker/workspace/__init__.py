"""The commissioner's workspace: rank requests by cost, find likely duplicates, decide, and prove the saving.

Plain functions (no Flask) in figures, duplicates, decisions, savings, digest
and workbook; views.py is the blueprint at /workspace/ (commissioners and
admins only). Sits above burden (every figure is a burden-service row) and
below entries (the log form asks `loggable.closed_reason`)."""
