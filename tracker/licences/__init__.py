"""Licences: burden estimates before a request is accepted, licences that expire, and burden statements.

Sits above burden and the catalogue (it prices estimates and adds up burden
through tracker.burden.services) and below the workspace (tracker.workspace:
its ranking shows each request's licence), entries (the log form shows a
quiet "no current licence" hint) and exports (the monthly workbook's
Unlicensed sheet, the reminder job). docs/licences.md says how it works."""
