"""Demo data for `flask --app tracker seed-demo` (see tracker/demo/seed.py)."""
