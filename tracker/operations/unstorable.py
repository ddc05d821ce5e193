"""Refuse input that no database can hold before any view sees it: a NUL character.

PostgreSQL cannot store or even compare text holding NUL (0x00): a search
for 'a%00' or a form value with one raised DataError, a 500. Form fields
refuse control characters with a message by the field (tracker/shared/
validators.py) and JSON bodies refuse them in tracker/api/common.py; this
catches the rest (query strings, addresses, fields a form does not check)
in one place, with a 400 in the usual shape."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request

NUL = "\x00"
MESSAGE = "Remove the NUL character (0x00): it cannot be stored"


def names_holding_nul() -> list[str]:
    names = [name for name, value in request.args.items(multi=True) if NUL in name or NUL in value]
    # Only plain forms: a multipart upload is read by its own view, under its own size limit
    # (tracker/imports/views.py), and its text fields by its form's validators.
    if request.mimetype == "application/x-www-form-urlencoded":
        names += [name for name, value in request.form.items(multi=True) if NUL in name or NUL in value]
    if NUL in request.path:
        names.append("path")
    return names


def register(app: Flask) -> None:
    @app.before_request
    def refuse_nul():
        names = names_holding_nul()
        if not names:
            return None
        if request.path.startswith("/api/"):
            return jsonify({"errors": {name.replace(NUL, "\\0"): [MESSAGE] for name in names}}), 400
        return render_template("errors/error.html", error=None, code=400, message=MESSAGE), 400
