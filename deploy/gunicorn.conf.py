"""gunicorn's settings for deploy/systemd/buurtkamer@.service (the port comes from the unit).

Workers from the core count (GUNICORN_WORKERS overrides it), each with a few threads: most of a
request is waiting for PostgreSQL. SIGHUP (`systemctl reload buurtkamer@PORT`) starts new
workers on the code `current` points to and lets the old ones finish their requests.
"""

import multiprocessing
import os

workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
keepalive = 5
# A worker is replaced now and then, so a slow leak cannot grow for weeks.
max_requests = 5000
max_requests_jitter = 500
# Only nginx on this machine talks to gunicorn; it sets X-Forwarded-Proto and -For.
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
# Calendar-feed, invitation and password-reset secrets masked in the access log.
logger_class = "buurtkamer.log_filters.GunicornLogger"
# No control socket (gunicorn 25.1+): it lives under $HOME by default, where two instances
# would share one, and nothing here uses gunicornc (older gunicorns ignore the setting).
control_socket_disable = True
