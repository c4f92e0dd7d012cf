"""What a letter says: the PDF document of one dossier's notification (GAS) or invoice (retribution)
or reminder, in the letter's language, described as ``eloket.pdf`` blocks.

The parts a city may word itself (opening, closing, signatory) come from its ``LetterText`` for the
dossier's regulation, else for all its regulations, else the e-loket's default. Everything the law
and the citizen need is always added here and not editable: the facts, the offence and its legal
basis, the amount and the term, how to pay (IBAN, OGM, EPC QR code), how to defend or contest, the oral
hearing above 70 euro, the appeal, and the invitation to go online (with login, or without: the
reference, the plate and the check code).

A letter in French, English or German carries the same letter in Dutch after a page break: the Dutch
text is the official one and is never replaced (domain.md §6). Rendering is pure: it reads the
dossier, its address and the texts, and returns bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from eloket.auth.guest import CHECK_DIGITS
from eloket.constants import DossierKind
from eloket.models import Dossier, LetterKind, LetterText, PostalAddress
from eloket.money import format_eur
from eloket.ogm import ogm_display
from eloket.payments.epc import epc_qr_png
from eloket.pdf import Address, Block, Facts, Heading, Image, PageBreak, Paragraph, PdfDocument, pdf_render

OFFICIAL_LANGUAGE = "nl"
GAS_KINDS = frozenset({DossierKind.GAS4, DossierKind.GAS5})


@dataclass(frozen=True)
class Wording:
    opening: str
    closing: str
    signatory: str


def _default_wording(dossier: Dossier, kind: str) -> Wording:
    """The e-loket's own text, in the active language."""
    organisation = dossier.organisation.name
    if kind == LetterKind.REMINDER:
        opening = _(
            "Geachte mevrouw, geachte heer,\n\nWe hebben uw betaling voor het dossier hieronder nog niet "
            "ontvangen. Betaal het bedrag binnen de nieuwe termijn, of laat ons weten waarom u dat niet "
            "doet. Hebt u intussen betaald, dan mag u deze herinnering als zonder voorwerp beschouwen."
        )
    elif dossier.kind in GAS_KINDS:
        opening = _(
            "Geachte mevrouw, geachte heer,\n\nEr werd een overtreding vastgesteld met het voertuig "
            "hieronder. U krijgt hiervoor een gemeentelijke administratieve sanctie (GAS). Met deze brief "
            "brengen we u op de hoogte en nodigen we u uit om de boete te betalen."
        )
    else:
        opening = _(
            "Geachte mevrouw, geachte heer,\n\nHet voertuig hieronder stond geparkeerd zonder geldig "
            "parkeerticket of parkeerrecht. Volgens het retributiereglement is daarom de retributie "
            "hieronder verschuldigd."
        )
    closing = _("Met vriendelijke groeten,")
    return Wording(opening=opening, closing=closing, signatory=organisation)


def wording_for(dossier: Dossier, kind: str, language: str) -> Wording:
    """The organisation's own wording for this regulation, else for all its regulations, else ours."""
    texts = {
        text.regulation_id: text
        for text in LetterText.objects.filter(
            organisation_id=dossier.organisation_id, kind=kind, language=language
        ).filter(regulation_id__in=[dossier.regulation_id, None] if dossier.regulation_id else [None])
    }
    text = texts.get(dossier.regulation_id) or texts.get(None)
    with translation.override(language):
        default = _default_wording(dossier, kind)
    if text is None:
        return default
    return Wording(
        opening=text.opening,
        closing=text.closing or default.closing,
        signatory=text.signatory or default.signatory,
    )


def _title(dossier: Dossier, kind: str) -> str:
    if kind == LetterKind.REMINDER:
        return _("Herinnering: %(kind)s %(reference)s") % {
            "kind": dossier.get_kind_display().lower(),
            "reference": dossier.reference,
        }
    if dossier.kind in GAS_KINDS:
        return _("Kennisgeving van een GAS-boete en uitnodiging tot betaling")
    return _("Factuur parkeerretributie %(reference)s") % {"reference": dossier.reference}


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return formats.date_format(value, "j F Y, H:i")
    return formats.date_format(value, "j F Y")


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _body(dossier: Dossier, *, kind: str, language: str, sent_on: dt.date) -> list[Block]:
    """The letter's blocks after the address, in the active language."""
    organisation = dossier.organisation
    policy = dossier.policy
    wording = wording_for(dossier, kind, language)
    place = ", ".join(
        part
        for part in (f"{dossier.street} {dossier.house_number}".strip(), str(dossier.municipality.name))
        if part
    )
    blocks: list[Block] = [
        Facts(
            [
                (_("Datum"), _date(sent_on)),
                (_("Dossier"), dossier.reference),
                (_("Behandeld door"), organisation.name),
            ]
        ),
        Paragraph(wording.opening),
        Heading(_("De feiten")),
        Facts(
            [
                (_("Nummerplaat"), dossier.plate or "—"),
                (_("Wanneer"), _date(dossier.occurred_at)),
                (_("Waar"), place),
                (_("Overtreding"), dossier.offence_description or dossier.get_kind_display()),
            ]
        ),
        Paragraph(policy.legal_basis(dossier), small=True),
        Heading(_("Te betalen")),
        Facts(
            [
                (_("Bedrag"), format_eur(dossier.amount_due_cents)),
                (_("Te betalen vóór"), _date(dossier.pay_by)),
                (_("Rekeningnummer (IBAN)"), organisation.iban_display if organisation.iban else "—"),
                *([(_("BIC"), organisation.bic)] if organisation.bic else []),
                (_("Begunstigde"), organisation.account_holder or organisation.name_nl),
                (_("Gestructureerde mededeling"), ogm_display(dossier.ogm) if dossier.ogm else "—"),
            ]
        ),
    ]
    qr = epc_qr_png(dossier=dossier)
    if qr is not None:
        blocks.append(
            Image(
                png=qr,
                caption=_(
                    "Scan deze code met uw bankapp: bedrag, rekeningnummer en gestructureerde mededeling "
                    "staan dan al ingevuld. Gebruik altijd de gestructureerde mededeling, zodat we uw "
                    "betaling aan dit dossier kunnen koppelen."
                ),
            )
        )
    blocks += _what_you_can_do(dossier)
    blocks += [Heading(_("Online bekijken en betalen")), *_online(dossier)]
    blocks += [Paragraph(wording.closing), Paragraph(wording.signatory)]
    contact = " · ".join(part for part in (organisation.email, organisation.phone) if part)
    if contact:
        blocks.append(Paragraph(_("Vragen? %(contact)s") % {"contact": contact}, small=True))
    return blocks


def _what_you_can_do(dossier: Dossier) -> list[Block]:
    policy = dossier.policy
    blocks: list[Block] = [Heading(_("Niet akkoord?"))]
    if dossier.kind in GAS_KINDS:
        blocks.append(
            Paragraph(
                _(
                    "U kunt binnen 30 dagen na de verzending van deze brief, tot %(date)s, een schriftelijk "
                    "verweer indienen bij de sanctionerend ambtenaar: online in het e-loket, of per brief "
                    "aan het adres hierboven met de referentie van het dossier. Zolang uw verweer wordt "
                    "behandeld, hoeft u niet te betalen."
                )
                % {"date": _date(dossier.contest_by)}
            )
        )
        if policy.oral_hearing_allowed(dossier):
            blocks.append(
                Paragraph(
                    _(
                        "Omdat de boete meer dan 70 euro bedraagt, kunt u in uw verweer vragen om "
                        "mondeling gehoord te worden."
                    )
                )
            )
        blocks.append(
            Paragraph(
                _(
                    "Reed u niet zelf met het voertuig? Geef dan binnen dezelfde termijn de naam en het "
                    "adres van de bestuurder door, online of per brief."
                )
            )
        )
        blocks.append(
            Paragraph(
                _(
                    "Tegen de beslissing van de sanctionerend ambtenaar kunt u binnen een maand na de "
                    "kennisgeving ervan beroep instellen bij de politierechtbank."
                ),
                small=True,
            )
        )
    else:
        blocks.append(
            Paragraph(
                _(
                    "Vindt u dat u deze retributie niet verschuldigd bent (u had een geldig ticket, een "
                    "vergunning of u betaalde via een app)? Dien dan tot %(date)s een bezwaar in, online in "
                    "het e-loket of per brief met de referentie van het dossier. Zolang uw bezwaar wordt "
                    "behandeld, wordt de retributie niet verder ingevorderd."
                )
                % {"date": _date(dossier.contest_by)}
            )
        )
    return blocks


def _online(dossier: Dossier) -> list[Block]:
    login = _site(reverse("eloket:login"))
    guest = _site(reverse("eloket:guest_access"))
    check = (dossier.ogm or "")[-CHECK_DIGITS:]
    return [
        Paragraph(
            _(
                "Meld u aan met uw eID, itsme of een andere digitale sleutel op %(url)s: u ziet er al uw "
                "dossiers, in alle gemeenten, betaalt met Bancontact en krijgt voortaan e-mail in plaats "
                "van post."
            )
            % {"url": login}
        ),
        Paragraph(_("Zonder aan te melden opent u alleen dit dossier op %(url)s met:") % {"url": guest}),
        Facts(
            [
                (_("Referentie"), dossier.reference),
                (_("Nummerplaat"), dossier.plate or "—"),
                (_("Controlecode"), check or "—"),
            ]
        ),
    ]


def letter_document(
    dossier: Dossier, *, address: PostalAddress, kind: str, sent_on: dt.date, created_at=None
) -> PdfDocument:
    """The letter in the dossier's language and, for any other language than Dutch, the official
    Dutch text after it."""
    language = dossier.language or OFFICIAL_LANGUAGE
    organisation = dossier.organisation
    with translation.override(language):
        title = _title(dossier, kind)
        sender = [organisation.name, *[line for line in organisation.address.splitlines() if line.strip()]]
        blocks: list[Block] = [
            Address(lines=address.lines(), sender=sender),
            *_body(dossier, kind=kind, language=language, sent_on=sent_on),
        ]
        if language != OFFICIAL_LANGUAGE:
            blocks.append(
                Paragraph(
                    _(
                        "Deze brief is een vertaling. De Nederlandse tekst op de volgende bladzijden is de "
                        "officiële."
                    ),
                    small=True,
                )
            )
    if language != OFFICIAL_LANGUAGE:
        with translation.override(OFFICIAL_LANGUAGE):
            blocks += [
                PageBreak(),
                Heading(_("Officiële tekst: %(title)s") % {"title": _title(dossier, kind)}),
                *_body(dossier, kind=kind, language=OFFICIAL_LANGUAGE, sent_on=sent_on),
            ]
    return PdfDocument(
        title=title, language=language, blocks=blocks, author=organisation.name_nl, created_at=created_at
    )


def letter_pdf(
    dossier: Dossier, *, address: PostalAddress, kind: str, sent_on: dt.date, created_at=None
) -> bytes:
    return pdf_render(
        letter_document(dossier, address=address, kind=kind, sent_on=sent_on, created_at=created_at)
    )
