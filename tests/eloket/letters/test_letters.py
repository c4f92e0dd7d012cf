"""Letters by post (eloket.letters): who gets one, what it says, read back with real PDF readers (pypdf
for text and fonts, PDFium to draw the page, zxing-cpp to read the EPC QR code back), the daily batch
for the print house, never twice and never for a dossier paid or cancelled in between."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal

import pypdfium2
import pytest
import zxingcpp
from django.utils import timezone
from pypdf import PdfReader

from eloket import services
from eloket.constants import DossierKind, DossierStatus, TimelineEventKind
from eloket.letters.services import batch_manifest, batch_zip, letters_batch_build, letters_due
from eloket.models import Letter, LetterKind, LetterText, PostalAddress
from eloket.ogm import ogm_display
from tests.factories import DossierFactory, UserFactory, person_party

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 7)


def with_address(dossier, *, name="Jan Janssens"):
    PostalAddress.objects.create(
        dossier=dossier, name=name, street="Stationsstraat 12", postal_code="3600", town="Genk"
    )
    return dossier


@pytest.fixture
def offline_party():
    return person_party(name="Jan Janssens")  # an e-mail address, but never verified, and no login


@pytest.fixture
def gas4(offline_party):
    return with_address(
        DossierFactory(
            party=offline_party,
            kind=DossierKind.GAS4,
            gas_category=2,
            offence_description="Parkeren op het voetpad",
        )
    )


@pytest.fixture
def retribution(offline_party):
    return with_address(DossierFactory(party=offline_party, kind=DossierKind.PARKING_RETRIBUTION))


def pdf_text(letter: Letter) -> str:
    with letter.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    # Whitespace as one space: justified lines come out with wider gaps, and a phrase may wrap.
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def pdf_bytes(letter: Letter) -> bytes:
    with letter.file.open("rb") as handle:
        return handle.read()


def qr_texts(pdf: bytes) -> list[str]:
    """Every QR code on the PDF's pages, drawn at 200 dpi by PDFium and read by zxing-cpp."""
    found = []
    document = pypdfium2.PdfDocument(pdf)
    for index in range(len(document)):
        image = document[index].render(scale=200 / 72).to_pil()
        found += [result.text for result in zxingcpp.read_barcodes(image)]
    return found


def only_letter(dossier) -> Letter:
    return Letter.objects.get(dossier=dossier)


def test_the_gas_notification_says_what_the_law_requires_and_moves_the_dossier(gas4):
    result = letters_batch_build(organisation=gas4.organisation, day=DAY)

    assert result.made == 1
    gas4.refresh_from_db()
    assert gas4.status == DossierStatus.NOTIFIED
    # The terms count from the sending day, as the regulation says.
    assert gas4.pay_by == DAY + dt.timedelta(days=gas4.regulation.pay_term_days)
    assert gas4.contest_by == DAY + dt.timedelta(days=gas4.regulation.contest_term_days)
    text = pdf_text(only_letter(gas4))
    for expected in (
        "Kennisgeving van een GAS-boete",
        "Stationsstraat 12",
        gas4.reference,
        gas4.plate,
        "Parkeren op het voetpad",
        "wet van 24 juni 2013",  # the legal basis
        "€ 116,00",
        ogm_display(gas4.ogm),
        "verweer",
        "mondeling gehoord",  # above 70 euro
        "politierechtbank",  # the appeal
        "/nl/aanmelden/",
        "/nl/dossier-openen/",
        gas4.ogm[-4:],  # the check code of the access without login
    ):
        assert expected in text, expected
    event = gas4.timeline.get(kind=TimelineEventKind.LETTER_SENT)
    assert event.status_to == DossierStatus.NOTIFIED
    assert event.get_kind_display() == "Brief verstuurd"


def test_a_category_one_gas_fine_offers_no_oral_hearing(offline_party):
    dossier = with_address(DossierFactory(party=offline_party, kind=DossierKind.GAS4, gas_category=1))

    letters_batch_build(organisation=dossier.organisation, day=DAY)

    text = pdf_text(only_letter(dossier))
    assert "€ 58,00" in text
    assert "mondeling gehoord" not in text


def test_the_epc_qr_code_on_the_invoice_reads_back_as_the_transfer(retribution):
    letters_batch_build(organisation=retribution.organisation, day=DAY)
    retribution.refresh_from_db()
    organisation = retribution.organisation

    codes = qr_texts(pdf_bytes(only_letter(retribution)))

    assert len(codes) == 1
    lines = codes[0].split("\n")
    assert (lines[0], lines[1], lines[3]) == ("BCD", "002", "SCT")
    assert lines[2] in "12345678"  # the character set segno chose (1 UTF-8, 2 ISO 8859-1, …)
    assert lines[5] == (organisation.account_holder or organisation.name_nl)[:70]
    assert lines[6] == organisation.iban
    assert lines[7].startswith("EUR")
    assert Decimal(lines[7].removeprefix("EUR")) == Decimal(retribution.amount_due_cents) / 100
    assert lines[9] == retribution.ogm  # the structured reference, not a free text


def test_every_font_is_embedded_and_the_language_is_set(retribution):
    letters_batch_build(organisation=retribution.organisation, day=DAY)

    reader = PdfReader(io.BytesIO(pdf_bytes(only_letter(retribution))))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            fonts.append(descendant["/FontDescriptor"].get_object())
    assert fonts and all("/FontFile2" in descriptor for descriptor in fonts)
    assert reader.trailer["/Root"]["/Lang"] == "nl"


def test_a_french_letter_carries_the_official_dutch_text_after_it(offline_party):
    dossier = with_address(
        DossierFactory(party=offline_party, kind=DossierKind.PARKING_RETRIBUTION, language="fr")
    )

    letters_batch_build(organisation=dossier.organisation, day=DAY)

    letter = only_letter(dossier)
    text = pdf_text(letter)
    assert letter.language == "fr" and letter.pages >= 2
    assert text.index("Facture") < text.index("Officiële tekst") < text.index("Factuur parkeerretributie")
    assert "La version néerlandaise" in text or "néerlandais" in text


def test_the_citys_own_wording_for_its_regulation_comes_first_then_for_all_regulations(retribution):
    organisation = retribution.organisation
    LetterText.objects.create(
        organisation=organisation,
        kind=LetterKind.NOTIFICATION,
        language="nl",
        opening="Beste bewoner van Genk,",
    )
    LetterText.objects.create(
        organisation=organisation,
        regulation=retribution.regulation,
        kind=LetterKind.NOTIFICATION,
        language="nl",
        opening="Beste bestuurder, volgens ons reglement GENK-RET ...",
        signatory="De parkeerdienst",
    )

    letters_batch_build(organisation=organisation, day=DAY)

    text = pdf_text(only_letter(retribution))
    assert "volgens ons reglement GENK-RET" in text and "Beste bewoner" not in text
    assert "De parkeerdienst" in text
    assert "Gestructureerde mededeling" in text  # the city's words never replace the e-loket's mentions


def test_a_digital_party_gets_no_letter(offline_party, retribution):
    offline_party.email_verified = True
    offline_party.save(update_fields=["email_verified"])

    assert not letters_due(organisation_id=retribution.organisation_id, kind=LetterKind.NOTIFICATION).exists()


def test_a_party_who_logged_in_recently_gets_no_letter_but_one_who_did_long_ago_does(
    offline_party, retribution, settings
):
    settings.ELOKET_LETTERS_OFFLINE_DAYS = 90
    user = UserFactory()
    services.representation_add(user=user, party=offline_party, role="self")
    due = lambda: letters_due(organisation_id=retribution.organisation_id, kind=LetterKind.NOTIFICATION)  # noqa: E731

    user.last_login = timezone.now() - dt.timedelta(days=10)
    user.save(update_fields=["last_login"])
    assert not due().exists()
    user.last_login = timezone.now() - dt.timedelta(days=91)
    user.save(update_fields=["last_login"])
    assert list(due()) == [retribution]


def test_nothing_is_sent_twice_and_the_batch_can_run_again(retribution):
    first = letters_batch_build(organisation=retribution.organisation, day=DAY)
    again = letters_batch_build(organisation=retribution.organisation, day=DAY)

    assert (first.made, again.made) == (1, 0)
    assert Letter.objects.filter(dossier=retribution).count() == 1
    assert again.batch == first.batch


def test_a_dossier_paid_or_cancelled_before_the_batch_gets_no_letter(offline_party):
    paid = with_address(DossierFactory(party=offline_party, kind=DossierKind.PARKING_RETRIBUTION))
    cancelled = with_address(
        DossierFactory(
            party=offline_party, kind=DossierKind.PARKING_RETRIBUTION, organisation=paid.organisation
        )
    )
    services.dossier_transition(dossier_id=paid.pk, to_status=DossierStatus.NOTIFIED)
    services.dossier_register_payment(dossier_id=paid.pk, amount_cents=paid.amount_original_cents)
    services.dossier_transition(dossier_id=cancelled.pk, to_status=DossierStatus.CANCELLED)

    assert letters_batch_build(organisation=paid.organisation, day=DAY).made == 0
    assert not Letter.objects.exists()


def test_a_dossier_without_a_postal_address_is_named_as_skipped(offline_party):
    dossier = DossierFactory(party=offline_party, kind=DossierKind.PARKING_RETRIBUTION)

    result = letters_batch_build(organisation=dossier.organisation, day=DAY)

    assert (result.made, result.skipped) == (0, 1)
    assert result.batch.skipped == [dossier.reference]
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ISSUED  # not notified: nothing was sent


def test_a_reminded_dossier_gets_one_reminder_with_the_term_from_the_sending_day(offline_party):
    dossier = with_address(
        DossierFactory(party=offline_party, kind=DossierKind.PARKING_RETRIBUTION, reminded=True)
    )

    letters_batch_build(organisation=dossier.organisation, day=DAY)
    letters_batch_build(organisation=dossier.organisation, day=DAY + dt.timedelta(days=1))

    dossier.refresh_from_db()
    assert Letter.objects.filter(dossier=dossier).values_list("kind", flat=True).get() == LetterKind.REMINDER
    assert dossier.pay_by == DAY + dt.timedelta(days=dossier.regulation.reminder_term_days)
    assert "Herinnering" in pdf_text(only_letter(dossier))


def test_the_batch_zip_holds_each_pdf_and_a_manifest_with_the_addressing_data(gas4, retribution):
    batch = letters_batch_build(organisation=gas4.organisation, day=DAY).batch
    if retribution.organisation_id != gas4.organisation_id:
        letters_batch_build(organisation=retribution.organisation, day=DAY)

    archive = zipfile.ZipFile(io.BytesIO(batch_zip(batch)))

    manifest = json.loads(archive.read("manifest.json"))
    rows = batch_manifest(batch)
    assert manifest["letters"] == rows and len(rows) == batch.letters.count() >= 1
    assert rows[0]["postal_code"] == "3600" and rows[0]["street"] == "Stationsstraat 12"
    assert set(archive.namelist()) == {row["file"] for row in rows} | {"manifest.csv", "manifest.json"}
    assert archive.read(rows[0]["file"]).startswith(b"%PDF-")
    csv_lines = archive.read("manifest.csv").decode().splitlines()
    assert csv_lines[0].startswith("letter_id,file,dossier") and len(csv_lines) == len(rows) + 1
    assert "national" not in archive.read("manifest.json").decode()


def test_a_dossier_that_got_its_address_leaves_the_skipped_list_at_the_next_run(offline_party):
    dossier = DossierFactory(party=offline_party, kind=DossierKind.PARKING_RETRIBUTION)
    assert letters_batch_build(organisation=dossier.organisation, day=DAY).batch.skipped == [
        dossier.reference
    ]

    with_address(dossier)
    result = letters_batch_build(organisation=dossier.organisation, day=DAY)

    assert (result.made, result.skipped, result.batch.skipped) == (1, 0, [])
