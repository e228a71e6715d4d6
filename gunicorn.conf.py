"""Gunicorn settings, read from the working directory (the image's /app, a checkout's root;
deploy/systemd/gridproxy-web.service and scripts/cluster start it from there). Command-line
flags (--bind, --workers) still win. One web node = one gunicorn master and its workers behind
nginx (deploy/nginx/gridproxy.conf, docs/adr/0030-process-layout-and-redis.md).

No version banner: gunicorn ≥ 22 (pyproject) answers `Server: gunicorn`, without its version
(tests/server/test_security_headers.py starts it and checks); nginx in front adds
`server_tokens off` (README "Security")."""

import gc
import os

# where nginx reaches this node; in Docker the compose file publishes 8000
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# synchronous workers: requests are short database round trips (p95 well under 100 ms). About
# two per core per node; the database, nginx and Redis need the rest of the machine.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# the app is imported once by the master and its workers forked from it: a node starts in one
# import's time, and the workers share its memory (gc.freeze below keeps it shared). A code
# change needs a restart (not HUP) of the node.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in {"1", "true", "yes", "on"}
# a request still running after this is killed and answered 502 by nginx; PDFs and exports are
# the slowest (seconds)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# nginx keeps connections to the node open (upstream keepalive)
keepalive = 15
# a worker is replaced after this many requests (± jitter): a slow leak never grows for ever
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# heartbeat files in memory, not on a disk that may stall
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# nginx's X-Forwarded-Proto is believed from loopback only (Django reads it through
# SECURE_PROXY_SSL_HEADER; the client address through TRUSTED_PROXIES)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%({x-request-id}o)s"'
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# the app's own log lines (Django's console handler writes to stderr) go to the same place, also
# when gunicorn runs as a daemon (make cluster)
capture_output = True
proc_name = os.environ.get("GUNICORN_NAME", "gridproxy-web")
# no control socket (gunicorn ≥ 24): nothing uses it, and every node on a machine would claim
# the same $HOME/.gunicorn/gunicorn.ctl
control_socket_disable = True


def post_worker_init(worker):
    # objects that live as long as the worker (Django, URL patterns, translations) leave the
    # garbage collector's generations: fewer and shorter collections in the middle of requests
    gc.freeze()
