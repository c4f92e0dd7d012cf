"""The provider's webhook endpoint. Outside the language prefix, without CSRF (the signature is the
check), answering quickly: the event is stored once and applied in one transaction."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from eloket.payments import services
from eloket.payments.provider import SignatureInvalid, provider_get

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if not settings.PAYMENTS_ONLINE:
        raise Http404
    try:
        event = provider_get().event_verify(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except SignatureInvalid:
        logger.warning("payment_webhook_bad_signature")
        return JsonResponse({"error": "invalid signature"}, status=400)
    result = services.event_record(event=event)
    logger.info("payment_webhook event=%s type=%s result=%s", event.id, event.type, result)
    return JsonResponse({"received": True, "result": result})
