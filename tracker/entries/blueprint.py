"""The entries pages' blueprint, in a module of its own so the log form's views and the week
view's (tracker/entries/views.py, tracker/entries/week_views.py) both register on it."""
from flask import Blueprint

blueprint = Blueprint("entries", __name__)
