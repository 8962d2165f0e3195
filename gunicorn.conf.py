"""gunicorn's settings for quizsite: `make serve` and `make bench` pass this file explicitly.

Threaded workers (gthread): a request waiting for SQLite's write lock holds one thread, not a
whole worker, so pages that only read are served while writers wait. With sync workers three
waiting saves took all three workers and every page, even /healthz, queued behind the lock.
A write waits at most DATABASE_LOCK_TIMEOUT (5 s) and then answers 503, far inside `timeout`.
"""

import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 20
