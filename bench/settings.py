"""The production settings, plus the baseline URL and a static root of the benchmark's own.

Nothing that changes how a request is handled is touched: same middleware, same database
options, same cookies. bench/run.py sets the environment (DATABASE_URL of the bench database,
DJANGO_DEBUG=0, a random secret, DJANGO_ALLOWED_HOSTS=127.0.0.1, DJANGO_SECURE_SSL_REDIRECT=0)
for itself and for gunicorn alike.
"""

import os
from pathlib import Path

from buurtkamer.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# collectstatic (the manifest the production storage needs) goes to a temporary directory
# that bench/run.py removes afterwards, not into the checkout's staticfiles/.
if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])

# No timers run for the benchmark: /healthz need not wait for the scheduled jobs.
HEALTHZ_JOBS = False
