"""What a mail about a dossier says, as a shape and values for ``eloket.mail.render``.

Everything is formatted here, in the recipient's language (amounts, dates, names, links), so that the
templates only place strings. ``MailFacts`` lives for one batch or job run and remembers what it has
formatted and looked up (an organisation's IBAN, whether it takes online payments, a month name), so a
batch of thousands of mails asks the database and the formatters only a few times.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from eloket.constants import CitizenAction, DossierKind, labels
from eloket.models import Dossier, Municipality, Organisation, Party
from eloket.money import format_eur
from eloket.ogm import ogm_display

GAS_KINDS = frozenset({DossierKind.GAS4, DossierKind.GAS5})
CONTEST_ACTIONS = frozenset({CitizenAction.CONTEST, CitizenAction.DEFEND})


def translated_name(obj, language: str) -> str:
    return getattr(obj, f"name_{language}", "") or obj.name_nl


class MailFacts:
    def __init__(self) -> None:
        self._prefix: dict[str, str] = {}
        self._dates: dict[tuple[str, dt.date], str] = {}
        self._amounts: dict[tuple[str, int], str] = {}
        self._online: dict[int, bool] = {}
        self._iban: dict[int, str] = {}
        self._kinds: dict[str, dict[str, str]] = {}
        self.organisations: dict[int, Organisation] = {}
        self.municipalities: dict[int, Municipality] = {}

    # Lookups, once per batch ---------------------------------------------------------------------
    def load(self, dossiers: list[Dossier]) -> None:
        """The organisations and municipalities of these dossiers, in two queries."""
        organisation_ids = {d.organisation_id for d in dossiers} - self.organisations.keys()
        municipality_ids = {d.municipality_id for d in dossiers} - self.municipalities.keys()
        if organisation_ids:
            self.organisations.update(Organisation.objects.in_bulk(organisation_ids))
        if municipality_ids:
            self.municipalities.update(Municipality.objects.in_bulk(municipality_ids))

    def pays_online(self, organisation_id: int) -> bool:
        if organisation_id not in self._online:
            from eloket.payments.selectors import online_payment_possible

            self._online[organisation_id] = online_payment_possible(organisation_id=organisation_id)
        return self._online[organisation_id]

    def iban(self, organisation: Organisation) -> str:
        if organisation.pk not in self._iban:
            self._iban[organisation.pk] = organisation.iban_display if organisation.iban else ""
        return self._iban[organisation.pk]

    # Formatting, in the recipient's language ----------------------------------------------------
    def site_prefix(self, language: str) -> str:
        """``https://site/<lang>/mijn/dossiers/`` (our URLs are the same words in every language)."""
        if language not in self._prefix:
            with translation.override(language):
                path = reverse("eloket:dossier_detail", args=["_"])[:-2]
            self._prefix[language] = settings.SITE_URL.rstrip("/") + path
        return self._prefix[language]

    def dossier_link(self, language: str, reference: str) -> str:
        return f"{self.site_prefix(language)}{reference}/"

    def page_link(self, language: str, name: str) -> str:
        with translation.override(language):
            return settings.SITE_URL.rstrip("/") + reverse(name)

    def date(self, language: str, value: dt.date | None) -> str:
        if value is None:
            return ""
        key = (language, value)
        if key not in self._dates:
            with translation.override(language):
                self._dates[key] = dateformat.format(value, "j F Y")
        return self._dates[key]

    def amount(self, language: str, cents: int) -> str:
        key = (language, cents)
        if key not in self._amounts:
            with translation.override(language):
                self._amounts[key] = format_eur(cents)
        return self._amounts[key]

    def kind(self, language: str, kind: str) -> str:
        if language not in self._kinds:  # activating a language costs more than the lookup
            with translation.override(language):
                self._kinds[language] = labels(DossierKind)
        return self._kinds[language][kind]

    # A dossier's facts ----------------------------------------------------------------------------
    def dossier(self, dossier: Dossier, party: Party, language: str) -> tuple[dict, dict[str, str]]:
        """Shape and values shared by every mail about one dossier: what it is, what is owed by when,
        how to pay, until when it can be contested, and the link."""
        organisation = self.organisations[dossier.organisation_id]
        municipality = self.municipalities.get(dossier.municipality_id)
        due = dossier.amount_due_cents
        contest_open = bool(dossier.contest_by) and bool(
            CONTEST_ACTIONS & set(dossier.policy.actions_by_status.get(dossier.status, ()))
        )
        shape = {
            "is_gas": dossier.kind in GAS_KINDS,
            "pay_online": bool(due) and self.pays_online(organisation.pk),
        }
        values = {
            "name": party.display_name,
            "reference": dossier.reference,
            "kind": self.kind(language, dossier.kind),
            "organisation": translated_name(organisation, language),
            "municipality": translated_name(municipality, language) if municipality else "",
            "amount": self.amount(language, due) if due else "",
            "pay_by": self.date(language, dossier.pay_by) if due else "",
            "contest_by": self.date(language, dossier.contest_by) if contest_open else "",
            "iban": self.iban(organisation) if due and dossier.ogm else "",
            "account_holder": organisation.account_holder if due and dossier.ogm else "",
            "ogm": ogm_display(dossier.ogm) if due and dossier.ogm else "",
            "link": self.dossier_link(language, dossier.reference),
            "preferences_link": self.preferences_link(language),
        }
        return shape, values

    def moment(self, language: str, value: str | None) -> str:
        """An ISO time from an event's data ("2026-03-14T09:30:00Z") as local date and time."""
        if not isinstance(value, str) or not value:
            return ""
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return ""
        with translation.override(language):
            return dateformat.format(timezone.localtime(parsed), "j F Y, H:i")

    def session(self, language: str, data: dict) -> dict[str, str]:
        """The values of a mail about a retribution a parking session cancelled
        (``dossier.cancelled_by_session``'s data, ``eloket.sessions.cross_check``)."""
        refund = data.get("refund_due_cents")
        return {
            "provider": str(data.get("provider") or ""),
            "start": self.moment(language, data.get("start")),
            "end": self.moment(language, data.get("end")),
            "refund": self.amount(language, refund) if isinstance(refund, int) and refund > 0 else "",
        }

    def preferences_link(self, language: str) -> str:
        key = f"preferences:{language}"
        if key not in self._prefix:
            self._prefix[key] = self.page_link(language, "eloket:mail_preferences")
        return self._prefix[key]
