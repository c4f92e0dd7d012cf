"""gunicorn's settings, read from the working directory at start-up (``gunicorn config.wsgi:application``
finds this file by itself; options on the command line still win).

The access log writes the path without its query string and without the referrer: the rights check
and the session list carry plates in the query (``/api/v1/rights-check/?plate=…``), and plates are
personal data that never reach a log in clear (docs/api.md, docs/observability.md). gunicorn's
default format writes the whole request line (``%(r)s``) and the referrer (``%(f)s``).
"""

import os

# host, time, "METHOD /path PROTOCOL", status, bytes, seconds, user agent, request id (set by the proxy)
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s "%(a)s" %({x-request-id}i)s'


def child_exit(server, worker):
    """Several workers with prometheus-client's multiprocess mode (docs/observability.md): forget the
    values of a worker that is gone."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
