"""Gunicorn settings read from the working directory (the image's /app, a checkout's root).
Command-line flags (bind, workers) still win.

No version banner: gunicorn ≥ 22 (pyproject) answers `Server: gunicorn`, without its version
(tests/server/test_security_headers.py starts it and checks); nginx in front adds
`server_tokens off` (README "Security")."""

import gc


def post_worker_init(worker):
    # objects that live as long as the worker (Django, URL patterns, translations) leave the
    # garbage collector's generations: fewer and shorter collections in the middle of requests
    gc.freeze()
