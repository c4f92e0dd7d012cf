"""What an operator sees of a running e-loket: structured logs with a request id, health and
readiness endpoints, Prometheus metrics (docs/observability.md).

- ``context``: the request id of the request (or task) being handled, in a context variable;
- ``logs``: logging filters (request id, redaction of personal identifiers) and the JSON formatter;
- ``middleware``: takes or makes the request id, times the request for the latency histogram;
- ``health``: ``/health/`` (the process answers) and ``/ready/`` (database, broker, private storage);
- ``metrics``: ``/metrics/`` for Prometheus, with the database gauges collected at scrape time;
- ``tasks``: carries the request id into django-q2 tasks.
"""
