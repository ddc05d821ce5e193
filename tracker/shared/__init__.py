"""The bottom layer every feature may use: enumerations, parsing, time, form field
types, pagination and spreadsheet writing. It imports no feature (an
import-linter contract in setup.cfg holds that)."""
