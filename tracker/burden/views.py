from flask import Blueprint, render_template

blueprint = Blueprint("burden", __name__, url_prefix="/burden")


@blueprint.route("/")
def dashboard():
    return render_template("burden/dashboard.html")
