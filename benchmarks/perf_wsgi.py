"""WSGI entry for timing runs: ``PERF_BEFORE=1`` puts back oscar's ways (perf_pages.py)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.perf_settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

if os.environ.get("PERF_BEFORE") == "1":
    from benchmarks.perf_pages import undo_performance_work

    undo_performance_work()
