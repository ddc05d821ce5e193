from flask import Blueprint, render_template

blueprint = Blueprint("entries", __name__)


@blueprint.route("/")
def index():
    return render_template("entries/index.html")
