"""The commissioner's workspace: rank requests by cost, find likely duplicates, decide, and prove the saving.

Plain functions (no Flask) in figures, duplicates, decisions, savings, digest
and workbook; views.py is the blueprint at /workspace/ (commissioners and
admins only). Sits above entries, licences and burden (every figure is a
burden-service row); entries import nothing from here (.importlinter says
so): whether a request is closed is the catalogue's rule,
tracker/catalogue/loggable.py, which the decisions here write."""
