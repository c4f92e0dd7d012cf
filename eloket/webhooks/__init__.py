"""Outbound webhooks: signed events to the organisations' own systems (docs/webhooks.md).

``webhooks_fan_out`` is the outbox consumer (``eloket.outbox.OUTBOX_CONSUMERS``); ``signature_verify``
is the check a receiver makes (``eloket.webhooks.signature`` needs only the standard library).
"""

from eloket.webhooks.services import webhooks_fan_out
from eloket.webhooks.signature import SignatureError, signature_header, signature_verify

__all__ = ["SignatureError", "signature_header", "signature_verify", "webhooks_fan_out"]
