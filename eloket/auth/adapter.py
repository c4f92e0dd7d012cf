"""allauth's adapters for the e-loket.

Accounts: nobody signs up with e-mail and password. A password login is for staff only (Wagtail admin,
with TOTP on top); citizens have no usable password and log in through ACM/IDM.
Social accounts: an ACM/IDM login creates its user at once (no sign-up form); one without a national
register number is turned away with a page that says why; after the login the person's party, the
enterprise of an EA login and the representations follow the claims (``services.citizen_login_record``).
"""

from __future__ import annotations

import logging
import secrets

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation

from eloket.auth import oidc, services
from eloket.auth.claims import Identity
from eloket.auth.middleware import CITIZEN_SESSION_KEY
from eloket.auth.staff import is_staff_user

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def pre_login(self, request, user, **kwargs):
        signal_kwargs = kwargs.get("signal_kwargs") or {}
        if "sociallogin" not in signal_kwargs and not is_staff_user(user):
            logger.info("password_login refused reason=not_staff")
            return render(request, "eloket/auth/password_login_refused.html", status=403)
        return super().pre_login(request, user, **kwargs)

    def post_login(self, request, user, **kwargs):
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if sociallogin is not None:
            identity = Identity.from_extra_data(sociallogin.account.extra_data)
            services.citizen_login_record(user=user, identity=identity)
            request.session[CITIZEN_SESSION_KEY] = True
            raw_id_token = getattr(request, "eloket_oidc_id_token", "")
            if raw_id_token:
                request.session[oidc.ID_TOKEN_SESSION_KEY] = oidc.seal(raw_id_token)
        return super().post_login(request, user, **kwargs)

    def send_mail(self, template_prefix, email, context):
        """allauth's mails (a staff password reset) go through the outbox like every other mail."""
        from eloket.notifications import notification_queue

        language = translation.get_language() or "nl"
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        body = render_to_string(f"{template_prefix}_message.txt", context)
        notification_queue(
            key=f"allauth:{template_prefix}:{secrets.token_hex(8)}",
            template="account_message",
            to_email=email,
            language=language,
            context={"subject": subject, "body": body},
            user=context.get("user"),
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return True

    def is_auto_signup_allowed(self, request, sociallogin):
        return True

    def pre_social_login(self, request, sociallogin):
        identity = Identity.from_extra_data(sociallogin.account.extra_data)
        if identity.person is None:
            logger.info("oidc_login refused reason=no_national_number")
            raise ImmediateHttpResponse(
                render(
                    request,
                    "eloket/auth/no_national_number.html",
                    {"identity": identity},
                    status=403,
                )
            )
        if sociallogin.is_existing and is_staff_user(sociallogin.user):
            # Staff accounts reach citizens' data: they log in with password and TOTP only.
            logger.warning("oidc_login refused reason=staff_account user=%s", sociallogin.user.pk)
            raise ImmediateHttpResponse(
                render(request, "eloket/auth/password_login_refused.html", status=403)
            )

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        identity = Identity.from_extra_data(sociallogin.account.extra_data)
        # A readable, unique username without the number: part of its keyed hash.
        user.username = (
            f"burger-{identity.person.hashed[:24]}" if identity.person else f"oidc-{secrets.token_hex(8)}"
        )
        user.email = ""
        return user

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        return user

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        logger.warning("oidc_login failed error=%s", error)
        return super().on_authentication_error(request, provider, error, exception, extra_context)
