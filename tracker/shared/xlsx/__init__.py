"""Writing .xlsx files with openpyxl: number formats and cell styles, user text as
text, streamed rows, and saving atomically. Every workbook the app makes uses these."""
