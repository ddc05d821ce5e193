"""The scheduler: every timed job of the app in one declarative list (jobs.py), run by one process."""
