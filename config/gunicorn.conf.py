"""Gunicorn settings for Quartier: ``gunicorn -c config/gunicorn.conf.py wsgi:app``.

Flags on the command line and ``GUNICORN_CMD_ARGS`` override these values.
Gunicorn itself reads ``WEB_CONCURRENCY`` (workers) and ``FORWARDED_ALLOW_IPS``.
"""
import os
from pathlib import Path

bind = "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# Each worker builds its own app and database pool after the fork: a pool
# shared across forked processes would hand one connection to two workers.
preload_app = False

timeout = 30
graceful_timeout = 30
keepalive = 5

# A worker is replaced now and then, so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200

# Logs go to the container's stdout/stderr; %(M)s is the response time in ms.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# The heartbeat file lives in memory, not on a container's overlay disk.
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"

# Gunicorn 25+ opens a control socket in $HOME/.gunicorn; nothing here uses
# `gunicornc`, the container's home is read-only, and parallel test servers
# would share the one path. (Older gunicorn ignores this key.)
control_socket_disable = True
