"""Serve the tracker on one machine: `python run.py` (http://127.0.0.1:5000).

The export scheduler runs inside this process unless SCHEDULER_ENABLED=0.
Production runs gunicorn for the web and exactly one `flask --app tracker
scheduler` process instead (README.md)."""
import os

from tracker import create_app

os.environ.setdefault("APP_ENV", "development")
app = create_app()

if __name__ == "__main__":
    if app.config.get("SCHEDULER_ENABLED"):
        try:
            from tracker.scheduler.running import start_background_scheduler
        except ImportError:  # exports feature not installed yet
            start_background_scheduler = None
        if start_background_scheduler:
            start_background_scheduler(app)
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    # No reloader: it would start a second scheduler in the child process.
    app.run(host=host, port=port, debug=False, use_reloader=False)
