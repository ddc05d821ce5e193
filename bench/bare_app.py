"""The baseline for bench/load.py: a bare Flask endpoint, served by gunicorn exactly as the tracker is.

What the tracker costs is then the ratio to this, measured in the same run on
the same machine with the same clients."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "ok"
