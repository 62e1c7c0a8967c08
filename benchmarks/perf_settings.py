"""Production settings with static files collected to a private directory, for perf_*.py.

The shared ``staticfiles/`` belongs to whoever last ran ``collectstatic``; a timing run
must not depend on it.
"""

import os
import tempfile
from pathlib import Path

from shop.settings.production import *  # noqa: F403

STATIC_ROOT = Path(
    os.environ.get("PERF_STATIC_ROOT", Path(tempfile.gettempdir()) / "chophien-perf-static")
)
