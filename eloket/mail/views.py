"""The citizen's mail preferences page, for the party they act as (``request.acting_party``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from eloket.mail.forms import MailPreferencesForm
from eloket.mail.services import party_preferences_update


@login_required
def mail_preferences(request: HttpRequest) -> HttpResponse:
    party = request.acting_party or None
    if party is None:
        return render(request, "eloket/no_party.html")
    form = MailPreferencesForm.for_party(party, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        party_preferences_update(party=party, user=request.user, **form.cleaned_data)
        messages.success(request, _("Uw e-mailvoorkeuren zijn bewaard."))
        return redirect("eloket:mail_preferences")
    return render(
        request,
        "eloket/mail_preferences.html",
        {"form": form, "party": party},
    )
