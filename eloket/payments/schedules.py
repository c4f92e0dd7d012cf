"""The payment jobs are declared with the others in ``eloket.schedules``."""

from eloket.schedules import schedules_ensure

RECONCILE = "eloket.payments.reconcile"

__all__ = ["RECONCILE", "schedules_ensure"]
