"""Demo form pages: for every pilot city, the forms of the organisations that handle its dossiers.

Per city page (home.demo) and per organisation with a regulation there: a contest form for parking
retributions, a defence form and a name-the-driver form for GAS fines, and a public question form
(``allow_anonymous``) for every organisation, listed on the city page. Genk's forms are translated
with wagtail-localize into the languages Genk's city page has, keeping their field keys.

``seed_forms`` is idempotent: a form page that exists (same slug under the city page) is left as the
editors made it, and so is an existing translation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from wagtail.models import Locale
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
from wagtail_localize.segments.extract import extract_strings
from wagtail_localize.strings import StringValue

from eloket.constants import DossierKind
from eloket.models import Organisation, Regulation
from forms.constants import FileFieldType, Purpose
from forms.models import FormField, FormPage
from home.demo import CITY_SLUGS, DemoSeedError
from home.demo_content import T
from home.models import CityPage

TRANSLATED_CITIES = ("genk",)
# Mechelen's editors have not built their contest form yet: the browser test has one built in the
# admin (tests/browser/test_contest_flow.py), so until then Mechelen's retributions show no
# "Bezwaar indienen".
LEFT_TO_EDITORS = {("mechelen", Purpose.CONTEST)}
RETRIBUTION = (DossierKind.PARKING_RETRIBUTION,)
GAS = (DossierKind.GAS4, DossierKind.GAS5)


@dataclass(frozen=True)
class Field:
    label: T
    field_type: str
    required: bool = False
    help_text: T | None = None


@dataclass(frozen=True)
class FormContent:
    purpose: str
    title: T
    intro: T
    confirmation: T
    email_subject: T
    email_text: T
    fields: tuple[Field, ...]
    allow_anonymous: bool = False


PHOTOS = Field(
    T("Foto's of documenten", "Photos ou documents", "Photos or documents", "Fotos oder Dokumente"),
    FileFieldType.FILES,
)

FORMS = {
    Purpose.CONTEST: FormContent(
        purpose=Purpose.CONTEST,
        title=T(
            "Bezwaar tegen een parkeerretributie",
            "Contester une redevance de stationnement",
            "Contest a parking charge",
            "Einspruch gegen eine Parkgebühr",
        ),
        intro=T(
            "Bent u het niet eens met deze retributie? Leg uit waarom en voeg bewijs toe, zoals een foto "
            "van uw ticket of vergunning.",
            "Vous n'êtes pas d'accord avec cette redevance ? Expliquez pourquoi et ajoutez une preuve, "
            "comme une photo de votre ticket ou de votre autorisation.",
            "Do you disagree with this charge? Explain why and add proof, such as a photo of your ticket "
            "or permit.",
            "Sind Sie mit dieser Gebühr nicht einverstanden? Erklären Sie warum und fügen Sie einen Beweis "
            "hinzu, etwa ein Foto Ihres Tickets oder Ihrer Genehmigung.",
        ),
        confirmation=T(
            "We behandelen uw bezwaar en laten u de beslissing weten.",
            "Nous traitons votre contestation et vous informons de la décision.",
            "We will handle your objection and let you know the decision.",
            "Wir bearbeiten Ihren Einspruch und teilen Ihnen die Entscheidung mit.",
        ),
        email_subject=T("Uw bezwaar", "Votre contestation", "Your objection", "Ihr Einspruch"),
        email_text=T(
            "We hebben uw bezwaar ontvangen. Zolang we het behandelen, hoeft u niet te betalen en komen er "
            "geen kosten bij.",
            "Nous avons reçu votre contestation. Pendant son traitement, vous ne devez pas payer et aucun "
            "frais ne s'ajoute.",
            "We have received your objection. While we handle it, you do not have to pay and no costs are "
            "added.",
            "Wir haben Ihren Einspruch erhalten. Während der Bearbeitung müssen Sie nicht zahlen und es "
            "kommen keine Kosten hinzu.",
        ),
        fields=(
            Field(
                T(
                    "Nummer van uw parkeerticket of sessie",
                    "Numéro de votre ticket ou session de stationnement",
                    "Number of your parking ticket or session",
                    "Nummer Ihres Parktickets oder Ihrer Parksitzung",
                ),
                "singleline",
            ),
            PHOTOS,
        ),
    ),
    Purpose.DEFENCE: FormContent(
        purpose=Purpose.DEFENCE,
        title=T(
            "Verweer tegen een GAS-boete",
            "Défense contre une amende SAC",
            "Defence against a GAS fine",
            "Verteidigung gegen eine GAS-Geldbuße",
        ),
        intro=T(
            "U kunt binnen 30 dagen schriftelijk verweer indienen. De sanctionerend ambtenaar beslist.",
            "Vous pouvez introduire une défense écrite dans les 30 jours. Le fonctionnaire sanctionnateur "
            "décide.",
            "You can submit a written defence within 30 days. The sanctioning official decides.",
            "Sie können innerhalb von 30 Tagen eine schriftliche Verteidigung einreichen. Der "
            "sanktionierende Beamte entscheidet.",
        ),
        confirmation=T(
            "De sanctionerend ambtenaar bekijkt uw verweer en laat u de beslissing weten.",
            "Le fonctionnaire sanctionnateur examine votre défense et vous informe de la décision.",
            "The sanctioning official will review your defence and let you know the decision.",
            "Der sanktionierende Beamte prüft Ihre Verteidigung und teilt Ihnen die Entscheidung mit.",
        ),
        email_subject=T("Uw verweer", "Votre défense", "Your defence", "Ihre Verteidigung"),
        email_text=T(
            "We hebben uw verweer ontvangen. Tot de beslissing krijgt u geen herinneringen.",
            "Nous avons reçu votre défense. Jusqu'à la décision, vous ne recevrez pas de rappels.",
            "We have received your defence. Until the decision you will not receive reminders.",
            "Wir haben Ihre Verteidigung erhalten. Bis zur Entscheidung erhalten Sie keine Erinnerungen.",
        ),
        # No oral-hearing checkbox of the editor's: the e-loket asks it itself, only for a fine above
        # 70 euro (forms.forms.offers_oral_hearing).
        fields=(PHOTOS,),
    ),
    Purpose.NAME_DRIVER: FormContent(
        purpose=Purpose.NAME_DRIVER,
        title=T(
            "De bestuurder doorgeven", "Désigner le conducteur", "Name the driver", "Den Fahrer benennen"
        ),
        intro=T(
            "Reed iemand anders met het voertuig? Geef de gegevens van de bestuurder door.",
            "Quelqu'un d'autre conduisait le véhicule ? Communiquez les données du conducteur.",
            "Was someone else driving the vehicle? Give us the driver's details.",
            "Ist jemand anderes mit dem Fahrzeug gefahren? Teilen Sie uns die Daten des Fahrers mit.",
        ),
        confirmation=T(
            "We sturen de boete naar de bestuurder die u doorgaf, als de gegevens kloppen.",
            "Nous envoyons l'amende au conducteur désigné si les données sont correctes.",
            "We will send the fine to the driver you named if the details are correct.",
            "Wir senden die Geldbuße an den genannten Fahrer, wenn die Angaben stimmen.",
        ),
        email_subject=T(
            "U gaf de bestuurder door",
            "Vous avez désigné le conducteur",
            "You named the driver",
            "Sie haben den Fahrer benannt",
        ),
        email_text=T(
            "We hebben de gegevens van de bestuurder ontvangen.",
            "Nous avons reçu les données du conducteur.",
            "We have received the driver's details.",
            "Wir haben die Daten des Fahrers erhalten.",
        ),
        fields=(
            Field(
                T("Naam van de bestuurder", "Nom du conducteur", "Driver's name", "Name des Fahrers"),
                "singleline",
                required=True,
            ),
            Field(
                T(
                    "Adres van de bestuurder",
                    "Adresse du conducteur",
                    "Driver's address",
                    "Adresse des Fahrers",
                ),
                "multiline",
                required=True,
            ),
            Field(
                T(
                    "Rijbewijsnummer",
                    "Numéro du permis de conduire",
                    "Driving licence number",
                    "Führerscheinnummer",
                ),
                "singleline",
            ),
        ),
    ),
    Purpose.QUESTION: FormContent(
        purpose=Purpose.QUESTION,
        title=T("Een vraag stellen", "Poser une question", "Ask a question", "Eine Frage stellen"),
        intro=T(
            "Stel uw vraag over parkeren, vergunningen of GAS-boetes. U hoeft niet aan te melden.",
            "Posez votre question sur le stationnement, les autorisations ou les amendes SAC. Pas besoin "
            "de vous connecter.",
            "Ask your question about parking, permits or GAS fines. You do not need to log in.",
            "Stellen Sie Ihre Frage zu Parken, Genehmigungen oder GAS-Geldbußen. Sie müssen sich nicht "
            "anmelden.",
        ),
        confirmation=T(
            "We beantwoorden uw vraag zo snel mogelijk.",
            "Nous répondons à votre question dès que possible.",
            "We will answer your question as soon as possible.",
            "Wir beantworten Ihre Frage so schnell wie möglich.",
        ),
        email_subject=T("Uw vraag", "Votre question", "Your question", "Ihre Frage"),
        email_text=T(
            "Bedankt voor uw vraag.",
            "Merci pour votre question.",
            "Thank you for your question.",
            "Vielen Dank für Ihre Frage.",
        ),
        fields=(
            Field(T("Onderwerp", "Sujet", "Subject", "Betreff"), "singleline", required=True),
            Field(T("Bijlagen", "Pièces jointes", "Attachments", "Anhänge"), FileFieldType.FILES),
        ),
        allow_anonymous=True,
    ),
}
PURPOSES_FOR_KINDS = ((RETRIBUTION, (Purpose.CONTEST,)), (GAS, (Purpose.DEFENCE, Purpose.NAME_DRIVER)))


def seed_forms(*, stdout: TextIO | None = None) -> None:
    """Create the demo form pages and Genk's translations (see the module docstring)."""
    with transaction.atomic():
        created, translated = [], []
        for slug in CITY_SLUGS:
            city = CityPage.objects.filter(municipality__slug=slug, locale__language_code="nl").first()
            if city is None:
                raise DemoSeedError(f"seed the pages first (home.demo); no city page for {slug}")
            for page in _forms_ensure(city=city, created=created):
                if slug in TRANSLATED_CITIES:
                    translated.extend(_translations_ensure(page=page, city=city))
    if stdout is not None:
        stdout.write(f"forms: {len(created)} created, {len(translated)} translations created\n")


def _handling(municipality) -> list[tuple[Organisation, set[str]]]:
    """The organisations with a regulation for this municipality (or for all they serve), with the
    dossier kinds they handle there."""
    regulations = Regulation.objects.filter(organisation__municipalities=municipality).filter(
        Q(municipality=municipality) | Q(municipality__isnull=True)
    )
    kinds: dict[int, set[str]] = {}
    for organisation_id, kind in regulations.values_list("organisation_id", "kind"):
        kinds.setdefault(organisation_id, set()).add(kind)
    organisations = Organisation.objects.in_bulk(list(kinds))
    return [(organisations[pk], kinds[pk]) for pk in sorted(kinds)]


def _forms_ensure(*, city: CityPage, created: list) -> list[FormPage]:
    handling = _handling(city.municipality)
    pages = []
    for organisation, kinds in handling:
        wanted = [(Purpose.QUESTION, sorted(kinds))]
        for group, purposes in PURPOSES_FOR_KINDS:
            served = sorted(kinds & set(group))
            if served:
                wanted.extend((purpose, served) for purpose in purposes)
        for purpose, served in wanted:
            if (city.municipality.slug, purpose) in LEFT_TO_EDITORS:
                continue
            several = sum(1 for _org, other in handling if _serves(purpose, other)) > 1
            pages.append(
                _form_ensure(
                    city=city,
                    organisation=organisation,
                    content=FORMS[purpose],
                    kinds=served,
                    named=several,
                    created=created,
                )
            )
    return pages


def _serves(purpose: str, kinds: set[str]) -> bool:
    if purpose == Purpose.QUESTION:
        return True
    return any(kinds & set(group) for group, purposes in PURPOSES_FOR_KINDS if purpose in purposes)


def _title(content: FormContent, organisation: Organisation, named: bool, language: str = "nl") -> str:
    title = content.title.get(language)
    name = getattr(organisation, f"name_{language}", "") or organisation.name_nl
    return f"{title} ({name})" if named else title


def _form_ensure(*, city, organisation, content: FormContent, kinds, named: bool, created: list) -> FormPage:
    title = _title(content, organisation, named)
    slug = slugify(title)[:80]
    page = FormPage.objects.child_of(city).filter(slug=slug).first()
    if page is not None:
        return page
    page = FormPage(
        title=title,
        slug=slug,
        organisation=organisation,
        purpose=content.purpose,
        dossier_kinds=list(kinds),
        allow_anonymous=content.allow_anonymous,
        intro=f"<p>{content.intro.nl}</p>",
        confirmation_text=f"<p>{content.confirmation.nl}</p>",
        email_subject=content.email_subject.nl,
        email_text=content.email_text.nl,
    )
    city.add_child(instance=page)
    for order, field in enumerate(content.fields):
        FormField.objects.create(
            page=page,
            sort_order=order,
            label=field.label.nl,
            field_type=field.field_type,
            required=field.required,
            help_text=field.help_text.nl if field.help_text else "",
        )
    page.full_clean()
    page.save_revision().publish()
    created.append(page)
    return page


def _translations_ensure(*, page: FormPage, city: CityPage) -> list[str]:
    content = FORMS[page.purpose]
    done = []
    for translated_city in city.get_translations().select_related("locale"):
        locale = translated_city.locale
        if page.get_translation_or_none(locale) is not None:
            continue
        _translate(page=page, content=content, locale=locale)
        done.append(f"{page.slug}:{locale.language_code}")
    return done


def _texts(content: FormContent, page: FormPage) -> list[tuple[str | T, bool]]:
    """Every translatable text on the page with whether it is rich text (one paragraph)."""
    organisation = page.organisation
    named = page.title != content.title.nl
    title = T(*(_title(content, organisation, named, language) for language in ("nl", "fr", "en", "de")))
    texts = [(title, False), (content.intro, True), (content.confirmation, True)]
    texts += [(content.email_subject, False), (content.email_text, False)]
    for field in content.fields:
        texts.append((field.label, False))
        if field.help_text:
            texts.append((field.help_text, False))
    return texts


def _segment(text: str, rich: bool) -> str:
    if rich:
        _template, strings = extract_strings(f"<p>{text}</p>")
        return strings[0][0].data
    return StringValue.from_plaintext(text).data


def _translate(*, page: FormPage, content: FormContent, locale: Locale) -> None:
    """Translate through wagtail-localize (so editors see a synced translation) and publish it.

    The slug is kept: the form's address differs only in its language prefix."""
    language = locale.language_code
    strings = {}
    for text, rich in _texts(content, page):
        strings[_segment(text.nl, rich)] = _segment(text.get(language) or text.nl, rich)
    strings[_segment(page.slug, False)] = _segment(page.slug, False)
    source, _created = TranslationSource.update_or_create_from_instance(page)
    translation, _created = Translation.objects.get_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        data = strings.get(segment.string.data)
        if data is None:
            raise DemoSeedError(f"no {language} text in forms.demo for {segment.string.data!r}")
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={"data": data, "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL},
        )
    translation.save_target(publish=False)
    page.get_translation(locale).get_latest_revision().publish()
