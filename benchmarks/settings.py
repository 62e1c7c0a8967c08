"""Production settings as the benchmark serves them: plain HTTP on 127.0.0.1.

Everything is ``shop.settings.production`` (DEBUG off, PostgreSQL, Redis cache and
broker, Whitenoise with the manifest storage) but for the ping view's URL and what
having no TLS on loopback changes. benchmarks/bench.py sets production.py's own
switches for that (``PLAIN_HTTP_ON_LOOPBACK``, ``SERVE_MEDIA``, ``STATIC_ROOT``); they
are repeated here so that a commit from before those switches existed is measured
the same way (the "before" figures).
"""

import os
from pathlib import Path

from shop.settings.production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False  # a client sends no Secure cookie back over http://
CSRF_COOKIE_SECURE = False
if os.environ.get("STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["STATIC_ROOT"])
