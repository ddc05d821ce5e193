"""Import pages: upload a file, see the mapping and the problems, confirm; the register of
collections; the list of imports with undo.

Views parse, call and render: reading, checking and writing are in this
package's plain modules. Uploads have their own size limit (IMPORT_MAX_BYTES,
set on the request before the form is read, whatever the app-wide limit) and
a file over it gets a readable 413 page."""
from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, SelectField

from tracker.auth.access import loggable_teams, visible_team_ids
from tracker.extensions import csrf, db
from tracker.imports import catalogue as register
from tracker.imports import pending
from tracker.imports.commit import ImportRefused, can_undo, nothing_to_do, undo_batch, write_entries
from tracker.imports.files import bad_rows_csv, bad_rows_xlsx, describe
from tracker.imports.formats import FIELDS, FORMATS, MAPPED, MAPPED_LABEL, SOURCE_CHOICES, UnknownFormat
from tracker.imports.messages import PAGE_CHOICES, closing_hint, grouped, row_ranges
from tracker.imports.preview import preview_rows
from tracker.imports.page_choices import check_upload
from tracker.imports.remembered import remember
from tracker.imports.reading import MB, FileRefused, Limits, open_table
from tracker.imports.template import build_template
from tracker.imports.values import DATE_ORDERS, DURATION_UNITS
from tracker.models.entries import Entry
from tracker.models.imports import ImportBatch
from tracker.shared.choices import BANDS
from tracker.shared.parsing import parse_id

blueprint = Blueprint("imports", __name__, url_prefix="/imports")
FORM_OVERHEAD = 64 * 1024  # the rest of a multipart upload besides the file
SHOWN_PROBLEMS = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(FlaskForm):
    file = FileField("File (.xlsx or .csv)")
    team = SelectField("Team for rows without one", choices=[], validate_choice=False)
    file_format = SelectField("Kind of file", choices=[("auto", "Work it out from the headers")]
                              + [(f.name, f.label) for f in FORMATS.values()], default="auto", validate_choice=False)
    band = SelectField("Staff band for rows without one",
                       choices=[("", "Choose after the file is read (if it has no Band column)")] + list(BANDS.items()),
                       validate_choice=False)


class RegisterUploadForm(FlaskForm):
    file = FileField("Register of collections (.xlsx or .csv)")


class ConfirmForm(FlaskForm):
    good_rows_only = BooleanField("Import the good rows now and download the bad ones to fix")


def limits() -> Limits:
    return Limits.from_config(current_app.config)


def may_import_entries(user) -> bool:
    return bool(loggable_teams(user))


def too_large(message: str | None = None):
    limit = limits().max_bytes // MB
    return render_template("imports/too_large.html", limit=limit, message=message), 413


def received_file(form_class):
    """The upload form with the import's own size limit applied before the body is read."""
    request.max_content_length = limits().max_bytes + FORM_OVERHEAD
    try:
        form = form_class()
        upload = form.file.data
    except RequestEntityTooLarge:
        return None, None
    if upload and _size(upload) > limits().max_bytes:  # the body's limit allows for the other fields
        return None, None
    return form, upload


def _size(storage) -> int:
    stream = storage.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


# ---- entries ---------------------------------------------------------------


@blueprint.route("/", methods=["GET"])
def index():
    if not (may_import_entries(current_user) or register.may_import(current_user)):
        abort(404)
    form = _upload_form()
    return render_template("imports/index.html", form=form, batches=visible_batches(), can_entries=may_import_entries(current_user),
                           can_register=register.may_import(current_user), limit=limits().max_bytes // MB)


def _upload_form(formdata=None):
    form = UploadForm(formdata) if formdata is not None else UploadForm()
    form.team.choices = _upload_team_choices()
    return form


def _upload_team_choices() -> list[tuple[str, str]]:
    """Before the file is read we cannot know whether it has a Team column: say so, not "use the column"."""
    teams = loggable_teams(current_user)
    if len(teams) == 1:
        return [(str(teams[0].id), teams[0].name)]
    return [("", "Choose after the file is read (if it has no Team column)")] + [(str(t.id), t.name) for t in teams]


@csrf.exempt
@blueprint.route("/", methods=["POST"])
def upload():
    if not may_import_entries(current_user):
        abort(404)
    form, upload_file = received_file(UploadForm)
    if form is None:
        return too_large()
    form.team.choices = _upload_team_choices()
    if not form.validate():
        return render_template("imports/index.html", form=form, batches=visible_batches(), can_entries=True,
                               can_register=register.may_import(current_user), limit=limits().max_bytes // MB), 400
    if not upload_file or not upload_file.filename:
        form.file.errors = ["Choose a file to import"]
        return render_template("imports/index.html", form=form, batches=visible_batches(), can_entries=True,
                               can_register=register.may_import(current_user), limit=limits().max_bytes // MB), 400
    token = pending.save(current_app.instance_path, current_user.id, upload_file, upload_file.filename)
    args = {"format": form.file_format.data, "band": form.band.data}
    team_id = parse_id(form.team.data)
    if team_id is not None:
        args["team"] = team_id
    return redirect(url_for("imports.check", token=token, **{k: v for k, v in args.items() if v}))


def _pending_or_404(token):
    path = pending.find(current_app.instance_path, current_user.id, token)
    if path is None or not may_import_entries(current_user):
        abort(404)
    return path


def file_refused(path, error):
    """A file that cannot be read: say why (nothing was written); one too large is not kept."""
    db.session.rollback()
    if getattr(error, "too_large", False):
        pending.discard(path)
        return too_large(str(error))
    return render_template("imports/refused.html", message=str(error), file_name=path.name), 400


@blueprint.route("/check/<token>", methods=["GET", "POST"])
def check(token):
    path = _pending_or_404(token)
    source = request.form if request.method == "POST" else request.args
    try:
        options, checked, hint = check_upload(path, source, current_user, limits())
    except (FileRefused, UnknownFormat) as error:
        return file_refused(path, error)
    confirm = ConfirmForm(request.form if request.method == "POST" else None)
    if request.method == "POST" and confirm.validate():
        try:
            batch = write_entries(checked, options, describe(path), good_rows_only=confirm.good_rows_only.data)
            if checked.mapping.format == MAPPED:
                remember(current_user, checked.mapping, options.date_order)
            db.session.commit()
        except ImportRefused as error:
            db.session.rollback()
            confirm.form_errors.append(str(error))
        except IntegrityError:
            db.session.rollback()
            confirm.form_errors.append("Another import of some of the same rows finished first; nothing was written. "
                                       "Check again: those rows will be skipped.")
        else:
            if not checked.bad_rows:
                pending.discard(path)
            flash(f"Imported {batch.rows_added} entries from {batch.file_name}"
                  + (f"; {batch.rows_skipped} were already imported" if batch.rows_skipped else "")
                  + (f"; {batch.rows_refused} bad rows left out" if batch.rows_refused else "")
                  + (f"; {len(checked.too_short)} under 30 seconds skipped" if checked.too_short else ""), "success")
            return redirect(url_for("imports.batch", batch_id=batch.id))
    db.session.rollback()  # checking writes nothing; end the read transaction
    mapping = checked.mapping
    params = {"format": mapping.format, "unit": mapping.unit, "band": options.band or "",
              "team": source.get("team", ""), "create_missing": "y" if options.create_missing else "",
              "source_name": options.source_name or "", "date_order": options.date_order or "",
              "source_mode": mapping.source_mode, "shown_source_mode": mapping.source_mode,
              **{f"col_{name}": mapping.header_of(name) for name in FIELDS}}
    status = 400 if request.method == "POST" else 200
    teams = loggable_teams(current_user)
    return render_template("imports/check.html", token=token, file_name=path.name, checked=checked, mapping=mapping,
                           fields=FIELDS, formats=FORMATS, units=DURATION_UNITS, params=params, confirm=confirm,
                           said=grouped(checked.problems)[:SHOWN_PROBLEMS], teams=teams, bands=BANDS, hint=hint,
                           preview=preview_rows(checked, teams), date_orders=DATE_ORDERS, source_choices=SOURCE_CHOICES,
                           page_choices=PAGE_CHOICES, nothing=None if checked.good else nothing_to_do(checked),
                           mapped_label=MAPPED_LABEL, MAPPED=MAPPED, closing=closing_hint(checked, PAGE_CHOICES)), status


@blueprint.route("/check/<token>/bad-rows.<kind>")
def bad_rows(token, kind):
    path = _pending_or_404(token)
    if kind not in ("csv", "xlsx"):
        abort(404)
    try:
        _, checked, _hint = check_upload(path, request.args, current_user, limits())
    except (FileRefused, UnknownFormat):
        abort(404)
    finally:
        db.session.rollback()
    stem = path.stem
    if kind == "csv":
        return send_file(io.BytesIO(bad_rows_csv(checked)), mimetype="text/csv", as_attachment=True,
                         download_name=f"{stem}-bad-rows.csv")
    out = io.BytesIO()
    bad_rows_xlsx(checked, out)
    out.seek(0)
    return send_file(out, mimetype=XLSX, as_attachment=True, download_name=f"{stem}-bad-rows.xlsx")


@blueprint.route("/template.xlsx")
def template():
    teams = loggable_teams(current_user) or abort(404)
    out = io.BytesIO()
    build_template([t.name for t in teams], out)
    out.seek(0)
    return send_file(out, mimetype=XLSX, as_attachment=True, download_name="burden-import-template.xlsx")


# ---- the list of imports and undo -----------------------------------------


def visible_batches(limit: int = 50) -> list[ImportBatch]:
    query = select(ImportBatch).order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()).limit(limit)
    return list(db.session.scalars(_visible(query)))


def _visible(query):
    user = current_user
    if user.role == "admin":
        return query
    if user.role == "commissioner":
        return query.where(ImportBatch.kind == "catalogue")
    teams = visible_team_ids(user) or [-1]
    of_my_teams = select(Entry.import_batch_id).where(Entry.team_id.in_(teams), Entry.import_batch_id.is_not(None))
    return query.where(ImportBatch.kind == "entries", or_(ImportBatch.user_id == user.id, ImportBatch.id.in_(of_my_teams)))


def batch_or_404(batch_id: int) -> ImportBatch:
    found = db.session.scalar(_visible(select(ImportBatch).where(ImportBatch.id == batch_id)))
    if found is None:
        abort(404)
    return found


@blueprint.route("/batches/<int:batch_id>")
def batch(batch_id: int):
    found = batch_or_404(batch_id)
    return render_template("imports/batch.html", batch=found, can_undo=can_undo(current_user, found), error=None)


@blueprint.route("/batches/<int:batch_id>/undo", methods=["POST"])
def undo(batch_id: int):
    found = batch_or_404(batch_id)
    try:
        deleted = undo_batch(current_user, found)
        db.session.commit()
    except ImportRefused as error:
        db.session.rollback()
        return render_template("imports/batch.html", batch=found, can_undo=can_undo(current_user, found),
                               error=str(error)), 400
    flash(f"Import undone: {deleted} entries deleted", "success")
    return redirect(url_for("imports.batch", batch_id=found.id))


# ---- the register of collections --------------------------------------------


@blueprint.route("/catalogue", methods=["GET"])
def catalogue():
    if not register.may_import(current_user):
        abort(404)
    return render_template("imports/catalogue.html", form=RegisterUploadForm(), limit=limits().max_bytes // MB)


@csrf.exempt
@blueprint.route("/catalogue", methods=["POST"])
def catalogue_upload():
    if not register.may_import(current_user):
        abort(404)
    form, upload_file = received_file(RegisterUploadForm)
    if form is None:
        return too_large()
    if not form.validate() or not upload_file or not upload_file.filename:
        if not form.errors:
            form.file.errors = ["Choose a file to import"]
        return render_template("imports/catalogue.html", form=form, limit=limits().max_bytes // MB), 400
    token = pending.save(current_app.instance_path, current_user.id, upload_file, upload_file.filename)
    return redirect(url_for("imports.catalogue_check", token=token))


@blueprint.route("/catalogue/<token>", methods=["GET", "POST"])
def catalogue_check(token):
    if not register.may_import(current_user):
        abort(404)
    path = pending.find(current_app.instance_path, current_user.id, token) or abort(404)
    source = request.form if request.method == "POST" else request.args
    create_missing = source.get("create_missing") == "y"
    try:
        table = open_table(path, path.name, limits(), prefer_sheet=None)
        plan = register.check_register(table, create_missing=create_missing)
    except (FileRefused, UnknownFormat) as error:
        return file_refused(path, error)
    confirm = ConfirmForm(request.form if request.method == "POST" else None)
    if request.method == "POST" and confirm.validate():
        try:
            found = register.write_register(plan, current_user, describe(path))
            db.session.commit()
        except ImportRefused as error:
            db.session.rollback()
            confirm.form_errors.append(str(error))
        else:
            pending.discard(path)
            flash(f"Catalogue updated from {found.file_name}: {found.rows_added} added, {found.rows_updated} changed, "
                  f"{found.rows_skipped} unchanged", "success")
            return redirect(url_for("imports.batch", batch_id=found.id))
    db.session.rollback()
    return render_template("imports/catalogue_check.html", token=token, file_name=path.name, plan=plan,
                           confirm=confirm, create_missing=create_missing, labels=register.LABELS), \
        400 if request.method == "POST" else 200


@blueprint.context_processor
def import_helpers():
    from tracker.shared.timeutil import app_timezone

    tz = app_timezone(current_app.config.get("TIMEZONE"))

    def local_time(moment) -> str:
        if moment is None:
            return "–"
        local = moment.astimezone(tz)
        return f"{local.day} {local:%B %Y %H:%M}"

    return {"local_time": local_time, "row_ranges": row_ranges}
