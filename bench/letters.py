"""The letters benchmark of ``python -m bench`` (``--only letters``; ``--letters N``, default 10,000).

N issued parking retributions of parties who are not digital, each with a postal address, go through
the product's own path in one organisation's daily batch (``eloket.letters.services.letters_batch_build``):
per dossier a locked re-check, the move to "notified" with its timeline event, the PDF rendered (fonts
subset and embedded, the EPC QR code drawn) and stored, the letter row. Timed from the first to the last
letter.

The floor is what no letter service can beat: the same letter's PDF rendered once and then stored N
times in the same private storage (no database, no rendering). Printed: letters per second of both and
their ratio (ours / floor), from one run. The benchmark's organisation, parties, dossiers and files are
removed afterwards (and left-overs of an interrupted run before).
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.files.base import ContentFile

PREFIX = "bench-letters"


def _cleanup() -> None:
    from eloket.models import Dossier, Letter, Organisation, Party, Regulation
    from eloket.models.dossiers import private_storage

    storage = private_storage()
    for organisation in Organisation.objects.filter(slug=PREFIX):
        for name in Letter.objects.filter(dossier__organisation=organisation).values_list("file", flat=True):
            storage.delete(name)
        dossiers = Dossier.objects.filter(organisation=organisation)
        party_ids = list(dossiers.values_list("party_id", flat=True))
        organisation.letter_batches.all().delete()
        dossiers.delete()
        Party.objects.filter(pk__in=party_ids).delete()
        Regulation.objects.filter(organisation=organisation).delete()
        organisation.delete()
    _, names = storage.listdir(f"{PREFIX}-floor") if storage.exists(f"{PREFIX}-floor") else ([], [])
    for name in names:
        storage.delete(f"{PREFIX}-floor/{name}")


def _setup(letters: int):
    from eloket import services
    from eloket.constants import DossierKind, OrganisationKind
    from eloket.identifiers import parse_national_number
    from eloket.models import Municipality, Organisation, PostalAddress, Regulation
    from eloket.scale.synthetic import synthetic_national_number

    municipality = Municipality.objects.order_by("pk").first() or Municipality.objects.create(
        nis_code="71016", slug="bench-genk", name_nl="Genk", name_fr="Genk", name_en="Genk", name_de="Genk"
    )
    organisation = Organisation.objects.create(
        slug=PREFIX,
        kind=OrganisationKind.CITY,
        name_nl="Stad Bench",
        iban="BE71096123456769",
        account_holder="Stad Bench",
        email="bench@example.be",
    )
    organisation.municipalities.set([municipality])
    regulation = Regulation.objects.create(
        organisation=organisation,
        kind=DossierKind.PARKING_RETRIBUTION,
        code=f"{PREFIX}-RET",
        title="Retributiereglement (bench)",
        valid_from=dt.date(2024, 1, 1),
    )
    addresses = []
    for index in range(letters):
        # Far above the counters of the scale seed (eloket.scale), so no bench party is a seeded one.
        number = synthetic_national_number(20_000_000 + index)
        party, _created = services.party_get_or_create(
            identifier=parse_national_number(number), display_name=f"Bench {index}", language="nl"
        )
        dossier = services.dossier_create(
            kind=DossierKind.PARKING_RETRIBUTION,
            party=party,
            organisation=organisation,
            municipality=municipality,
            regulation=regulation,
            external_id=f"{PREFIX}-{index}",
            plate="1-ABC-123",
            street="Markt",
            amount_original_cents=3500,
        )
        addresses.append(
            PostalAddress(
                dossier=dossier, name=f"Bench {index}", street="Markt 1", postal_code="3600", town="Genk"
            )
        )
    PostalAddress.objects.bulk_create(addresses, batch_size=2000)
    return organisation


def main(*, letters: int = 10_000) -> bool:
    from eloket.letters.document import letter_pdf
    from eloket.letters.services import letters_batch_build
    from eloket.models import Dossier, PostalAddress
    from eloket.models.dossiers import private_storage

    _cleanup()
    print(f"letters: {letters:,} letters by post ...", flush=True)
    organisation = _setup(letters)
    sample = (
        Dossier.objects.filter(organisation=organisation)
        .select_related("organisation", "municipality")
        .first()
    )
    address = PostalAddress.objects.get(dossier=sample)
    try:
        day = dt.date.today()
        start = time.perf_counter()
        result = letters_batch_build(organisation=organisation, day=day)
        ours = time.perf_counter() - start
        if result.made != letters:
            print(f"letters: FAILED: made {result.made} of {letters}")
            return False
        storage = private_storage()
        start = time.perf_counter()
        pdf = letter_pdf(sample, address=address, kind="notification", sent_on=day)
        for index in range(letters):
            storage.save(f"{PREFIX}-floor/{index:06d}.pdf", ContentFile(pdf))
        floor = time.perf_counter() - start
    finally:
        _cleanup()
    ours_rate, floor_rate = letters / ours, letters / floor
    print(
        f"letters: {ours_rate:,.0f} letters/s ({ours:.1f} s); floor (render once, store {letters:,} copies): "
        f"{floor_rate:,.0f}/s ({floor:.1f} s); ratio ours/floor {ours_rate / floor_rate:.3f}"
    )
    return True
