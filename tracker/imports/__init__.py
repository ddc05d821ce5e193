"""Bringing in what teams already have: entries from spreadsheets and time-tracker
exports, and the register of collections into the catalogue (docs/imports.md)."""
