"""allauth's generic OpenID Connect provider, configured for ACM/IDM.

Set as ``SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]`` (allauth's own extension point),
with the login and callback views of ``eloket.auth.views`` mounted at allauth's URLs. What it adds to the
generic provider:

- a ``nonce`` in every authorization request, kept in allauth's login state and checked in the ID token;
- the ID token's signature is always verified against the provider's keys (allauth skips it when the
  token came straight from the token endpoint), with issuer, audience and expiry (``oidc.validate_id_token``);
- client authentication with ``private_key_jwt`` (a signed JWT instead of a secret), as ACM/IDM offers;
- the claims reduced to what the e-loket keeps: no national number in ``extra_data`` (``claims.Identity``);
- the raw ID token stays on the request, for the session (sealed) and RP-initiated logout.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter

from eloket.auth import oidc
from eloket.auth.claims import Identity, identity_from_claims

logger = logging.getLogger(__name__)

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
PRIVATE_KEY_JWT = "private_key_jwt"
CLIENT_SECRET_POST = "client_secret_post"  # noqa: S105 - a method's name


class AcmIdmClient(OAuth2Client):
    """The token request, authenticated with a client secret (basic or post) or ``private_key_jwt``."""

    def __init__(self, *args, token_auth_method: str, app_settings: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.token_auth_method = token_auth_method
        self.app_settings = app_settings

    def get_access_token(self, code, pkce_code_verifier=None, extra_data=None):
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.callback_url}
        if pkce_code_verifier:
            data["code_verifier"] = pkce_code_verifier
        auth = None
        if self.token_auth_method == PRIVATE_KEY_JWT:
            data.update(
                client_id=self.consumer_key,
                client_assertion_type=CLIENT_ASSERTION_TYPE,
                client_assertion=oidc.client_assertion(
                    client_id=self.consumer_key,
                    audience=self.app_settings.get("assertion_audience") or self.access_token_url,
                    private_key_pem=self.app_settings["private_key"],
                    key_id=self.app_settings.get("private_key_id", ""),
                ),
            )
        elif self.token_auth_method == CLIENT_SECRET_POST:
            data.update(client_id=self.consumer_key, client_secret=self.consumer_secret)
        else:
            import requests

            auth = requests.auth.HTTPBasicAuth(self.consumer_key, self.consumer_secret)
        with get_adapter().get_requests_session() as session:
            response = session.post(self.access_token_url, data=data, auth=auth, timeout=15)
        if response.status_code != HTTPStatus.OK:
            logger.warning("oidc_token_request refused status=%s", response.status_code)
            raise OAuth2Error("token request refused")
        token = response.json()
        if "access_token" not in token or "id_token" not in token:
            raise OAuth2Error("token response without access_token or id_token")
        return token


class AcmIdmOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    expected_nonce: str | None = None

    @property
    def openid_config(self):
        if not hasattr(self, "_openid_config"):
            config = dict(oidc.discovery(self.get_provider().app.settings["server_url"]))
            config.update(self.get_provider().app.settings.get("openid_configuration_overrides", {}))
            self._openid_config = config
        return self._openid_config

    def get_client(self, request, app):
        return AcmIdmClient(
            self.request,
            app.client_id,
            app.secret,
            self.access_token_method,
            self.access_token_url,
            self.get_callback_url(request, app),
            scope_delimiter=self.scope_delimiter,
            token_auth_method=app.settings.get("token_auth_method", "client_secret_basic"),
            app_settings=app.settings,
        )

    def complete_login(self, request, app, token, **kwargs):
        raw_id_token = kwargs["response"].get("id_token", "")
        config = self.openid_config
        try:
            claims = oidc.validate_id_token(
                raw_id_token,
                issuer=config["issuer"],
                client_id=app.client_id,
                keys=oidc.provider_keys(config["jwks_uri"], kid=_kid(raw_id_token)),
                nonce=self.expected_nonce,
            )
        except oidc.IdTokenRefused as refused:
            logger.warning("oidc_id_token refused reason=%s", refused.reason)
            raise OAuth2Error(f"id_token refused: {refused.reason}") from None
        userinfo = {}
        if app.settings.get("fetch_userinfo", True) and config.get("userinfo_endpoint"):
            userinfo = self._fetch_user_info(token.token)
            if str(userinfo.get("sub")) != str(claims["sub"]):
                logger.warning("oidc_userinfo refused reason=sub_mismatch")
                raise OAuth2Error("userinfo for another subject")
        request.eloket_oidc_id_token = raw_id_token
        return self.get_provider().sociallogin_from_response(request, {**claims, **userinfo})


def _kid(raw: str) -> str | None:
    import jwt

    try:
        return jwt.get_unverified_header(raw).get("kid")
    except jwt.PyJWTError:
        return None


class AcmIdmProvider(OpenIDConnectProvider):
    oauth2_adapter_class = AcmIdmOAuth2Adapter

    def get_default_scope(self):
        return ["openid", "profile", "vo", "rrn"]

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        """The authorization request, with a nonce that the callback checks in the ID token."""
        nonce = oidc.new_nonce()
        auth_params = dict(kwargs.get("auth_params") or self.get_auth_params())
        auth_params["nonce"] = nonce
        kwargs["auth_params"] = auth_params
        kwargs["nonce"] = nonce  # stashed in allauth's state, read back by the callback
        return super().redirect(request, process, next_url, data, **kwargs)

    def sociallogin_from_response(self, request, response):
        """``response`` holds the checked claims; allauth gets (and stores) only what we keep."""
        identity = identity_from_claims(response)
        return super().sociallogin_from_response(request, identity.to_extra_data())

    def extract_uid(self, data):
        # One account per person, whatever capacity they log in with: the hash of their number.
        person = data.get("person")
        return f"person:{person['hash']}" if person else f"sub:{data['sub']}"

    def extract_extra_data(self, data):
        return data

    def extract_common_fields(self, data):
        return {"first_name": data.get("given_name") or "", "last_name": data.get("family_name") or ""}

    def extract_email_addresses(self, data):
        # vo_email goes to the party as an unverified contact address, not to allauth's accounts.
        return []

    @staticmethod
    def identity(extra_data: dict) -> Identity:
        return Identity.from_extra_data(extra_data)
