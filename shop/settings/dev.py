"""Development: SQLite, eager Celery, console e-mail. What ``make run`` uses."""

import os

os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

DEBUG = True
# A fixed key for local runs only; production.py refuses to start without a real one.
SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-for-chophien-local-runs")
