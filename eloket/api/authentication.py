"""API keys: ``Authorization: Bearer elk_<prefix>.<secret>``. The prefix finds the key, the secret's
SHA-256 must match (compared in constant time), and a revoked key is refused."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from eloket.models import ApiKey

LAST_USED_EVERY_SECONDS = 60


@dataclass
class ApiClient:
    """The request's user: a city system acting for its organisation, never a person."""

    key: ApiKey
    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False

    @property
    def organisation(self):
        return self.key.organisation

    @property
    def pk(self):
        return f"apikey:{self.key.pk}"

    def __str__(self) -> str:
        return f"API-sleutel {self.key.prefix}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Geef precies één API-sleutel na 'Bearer'."))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Ongeldige API-sleutel.")) from None
        prefix, _dot, secret = token.removeprefix("elk_").partition(".")
        key = ApiKey.objects.select_related("organisation").filter(prefix=prefix).first() if secret else None
        if key is None or not hmac.compare_digest(key.secret_hash, ApiKey.hash_secret(secret)):
            raise exceptions.AuthenticationFailed(_("Ongeldige API-sleutel."))
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Deze API-sleutel is ingetrokken."))
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > LAST_USED_EVERY_SECONDS:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)  # at most once a minute per key
            key.last_used_at = now
        return ApiClient(key), key

    def authenticate_header(self, request) -> str:
        return self.keyword


class HasScope(permissions.BasePermission):
    """The view names the scope it needs (``required_scope``); the key must hold it."""

    message = _("Deze API-sleutel heeft geen recht op deze handeling.")

    def has_permission(self, request, view) -> bool:
        client = request.user
        if not isinstance(client, ApiClient):
            return False
        scope = getattr(view, "required_scope", None)
        if isinstance(scope, dict):
            scope = scope.get(request.method, scope.get("*"))
        return scope is None or client.key.has_scope(scope)
