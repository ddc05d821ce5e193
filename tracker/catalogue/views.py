from flask import Blueprint, render_template

blueprint = Blueprint("catalogue", __name__, url_prefix="/catalogue")


@blueprint.route("/requests")
def requests():
    return render_template("catalogue/requests.html")
