"""The OpenAPI document: only ``/api/v1/`` (the admin's internal APIs are not ours to publish), with
the API key as its security scheme."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


def only_api_v1(endpoints, **_kwargs):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "eloket.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Een API-sleutel van uw organisatie: `elk_<prefix>.<secret>`.",
        }
