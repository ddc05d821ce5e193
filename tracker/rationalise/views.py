from flask import Blueprint, render_template

blueprint = Blueprint("rationalise", __name__, url_prefix="/rationalise")
