"""Who manages an organisation's links with its own systems, and the writes for its API keys.

An organisation's coordinators (``StaffRole.COORDINATOR`` on their membership) and superusers manage
API keys and webhooks; clerks do not (docs/webhooks.md, "Who may do what"). Every write here checks
that, writes the row with ``full_clean`` and leaves an entry in Wagtail's audit log. Webhook endpoints
and deliveries have their writes in ``eloket.webhooks.services``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from eloket.constants import OrganisationKind, StaffRole
from eloket.models import ApiKey, ApiScope, Organisation, User
from eloket.models.integrations import PROVIDER_SCOPES

logger = logging.getLogger(__name__)

# Audit-log actions (labels registered in eloket.wagtail_hooks).
ACTION_API_KEY_CREATE = "eloket.api_key.create"
ACTION_API_KEY_EDIT = "eloket.api_key.edit"
ACTION_API_KEY_REVOKE = "eloket.api_key.revoke"


def coordinator_organisations(*, user: User) -> QuerySet[Organisation]:
    """The organisations whose API keys and webhooks ``user`` manages: those where they are a
    coordinator (all, for a superuser). Being a clerk of an organisation is not enough."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(staff__user=user, staff__role=StaffRole.COORDINATOR).distinct()


def user_is_coordinator(*, user: User) -> bool:
    return coordinator_organisations(user=user).exists()


def coordinator_require(*, user: User, organisation_id: int) -> None:
    """PermissionDenied unless ``user`` manages the integrations of ``organisation_id``."""
    if not coordinator_organisations(user=user).filter(pk=organisation_id).exists():
        raise PermissionDenied


def coordinator_api_keys(*, user: User) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(
        organisation__in=coordinator_organisations(user=user).values("pk")
    ).select_related("organisation")


def api_key_scopes_clean(scopes, *, organisation: Organisation) -> list[str]:
    """The chosen scopes, refused unless they fit the organisation: only a parking provider's key
    reports sessions, and a provider's key does nothing else (``ApiKey.has_scope`` enforces the
    same at every request; this says so when the key is made)."""
    allowed = set(ApiScope.values)
    chosen = sorted(set(scopes or []))
    if not chosen:
        raise ValidationError({"scopes": _("Kies minstens één recht.")}, code="no_scopes")
    if not set(chosen) <= allowed:
        raise ValidationError({"scopes": _("Onbekend recht.")}, code="unknown_scope")
    if organisation.kind == OrganisationKind.PARKING_PROVIDER:
        if not set(chosen) <= PROVIDER_SCOPES:
            message = _(
                "Een aanbieder van mobiel parkeren mag alleen parkeersessies melden; kies enkel dat recht."
            )
            raise ValidationError({"scopes": ValidationError(message, code="provider_scope_only")})
    elif set(chosen) & PROVIDER_SCOPES:
        message = _(
            "Parkeersessies melden kan alleen een aanbieder van mobiel parkeren; deze organisatie is er geen."
        )
        raise ValidationError({"scopes": ValidationError(message, code="provider_scope")})
    return chosen


@dataclass(frozen=True)
class NewApiKey:
    key: ApiKey
    token: str  # ``elk_<prefix>.<secret>``: shown once, never stored


@transaction.atomic
def api_key_create(
    *, organisation: Organisation, name: str, scopes, rights_check_per_minute: int, user: User
) -> NewApiKey:
    """A new key for ``organisation``. Only the SHA-256 of its secret is stored; the token returned
    is the only time anyone sees it."""
    coordinator_require(user=user, organisation_id=organisation.pk)
    prefix, secret, token = ApiKey.new_token()
    key = ApiKey(
        organisation=organisation,
        name=name.strip(),
        prefix=prefix,
        secret_hash=ApiKey.hash_secret(secret),
        scopes=api_key_scopes_clean(scopes, organisation=organisation),
        rights_check_per_minute=rights_check_per_minute,
        created_by=user,
    )
    key.full_clean()
    key.save()
    log(instance=key, action=ACTION_API_KEY_CREATE, user=user)
    logger.info("api_key_created key=%s organisation=%s", key.pk, organisation.pk)
    return NewApiKey(key=key, token=token)


@transaction.atomic
def api_key_update(*, key_id: int, name: str, scopes, rights_check_per_minute: int, user: User) -> ApiKey:
    """Rename a key or change what it may do; the secret stays."""
    key = ApiKey.objects.select_for_update().get(pk=key_id)
    coordinator_require(user=user, organisation_id=key.organisation_id)
    key.name = name.strip()
    key.scopes = api_key_scopes_clean(scopes, organisation=key.organisation)
    key.rights_check_per_minute = rights_check_per_minute
    key.full_clean()
    key.save(update_fields=["name", "scopes", "rights_check_per_minute"])
    log(instance=key, action=ACTION_API_KEY_EDIT, user=user)
    return key


@transaction.atomic
def api_key_revoke(*, key_id: int, user: User) -> ApiKey:
    """Stop a key for good (from its next request on). Revoking twice changes nothing."""
    key = ApiKey.objects.select_for_update().get(pk=key_id)
    coordinator_require(user=user, organisation_id=key.organisation_id)
    if key.revoked_at is not None:
        return key
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    log(instance=key, action=ACTION_API_KEY_REVOKE, user=user)
    logger.info("api_key_revoked key=%s organisation=%s", key.pk, key.organisation_id)
    return key
