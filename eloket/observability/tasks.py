"""The request id travels with the tasks a request queues (django-q2 signals, connected in
``eloket.apps``): the task's log lines carry the id of the request that caused them. A task queued
by the scheduler or a command gets an id of its own when it runs."""

from __future__ import annotations

from django_q.signals import post_execute_in_worker, pre_enqueue, pre_execute

from eloket.observability.context import request_id_bind, request_id_get, request_id_new, request_id_reset

TASK_REQUEST_ID_KEY = "eloket_request_id"
_CONTEXT_KEY = "eloket_request_id_token"


def task_request_id_attach(sender, task: dict, **kwargs) -> None:
    request_id = request_id_get()
    if request_id:
        task[TASK_REQUEST_ID_KEY] = request_id


def task_request_id_bind(sender, func, task: dict, **kwargs) -> None:
    task[_CONTEXT_KEY] = request_id_bind(task.get(TASK_REQUEST_ID_KEY) or request_id_new())


def task_request_id_unbind(sender, func, task: dict, **kwargs) -> None:
    # Popped before the worker pickles the task into its result queue (a Token does not pickle).
    token = task.pop(_CONTEXT_KEY, None)
    if token is not None:
        request_id_reset(token)


def task_signals_connect() -> None:
    pre_enqueue.connect(task_request_id_attach, dispatch_uid="eloket_request_id_attach")
    pre_execute.connect(task_request_id_bind, dispatch_uid="eloket_request_id_bind")
    post_execute_in_worker.connect(task_request_id_unbind, dispatch_uid="eloket_request_id_unbind")
