"""Two demo citizens who are not digital (no login, no e-mail address): their issued GAS fine and
parking retribution get their letters by post in today's batch, one in Dutch, one in French with the
official Dutch text after it (docs/letters.md). Idempotent: a second run makes no second letter."""

from __future__ import annotations

from eloket import services
from eloket.demo.data import _gas4, _retribution, national_number
from eloket.identifiers import parse_national_number
from eloket.letters.services import letters_batch_build
from eloket.models import Dossier, PostalAddress

OFFLINE = (
    # key, name, national number, language, address, dossiers
    (
        "post-rita",
        "Rita Vermeulen",
        national_number("520318", 46),
        "nl",
        ("Rita Vermeulen", "Zwartbergsesteenweg 44", "3600", "Genk"),
        [
            _gas4(
                "post-rita-gas4",
                "stad-genk",
                "genk",
                "GAS4-GENK",
                [],
                3,
                "Europalaan",
                category=2,
                plate="1-RVM-052",
            ),
            _retribution(
                "post-rita-ret",
                "opc-genk",
                "genk",
                "GENK-RET-2018",
                [],
                2,
                "Stadsplein",
                plate="1-RVM-052",
                zone="Z2",
            ),
        ],
    ),
    (
        "post-marc",
        "Marc Lambert",
        national_number("610905", 133),
        "fr",
        ("Marc Lambert", "Rue de la Station 7", "1800", "Vilvoorde"),
        [
            _retribution(
                "post-marc-ret",
                "agmp-antwerpen",
                "antwerpen",
                "ANT-RET-2022",
                [],
                2,
                "Meir",
                plate="2-MLB-610",
                zone="ROOD",
            ),
        ],
    ),
)


def seed_letters(*, organisations, municipalities, regulations, seed_dossier, stdout=None) -> None:
    made = 0
    lettered = set()
    for _key, name, number, language, (addressee, street, postal_code, town), specs in OFFLINE:
        party, _created = services.party_get_or_create(
            identifier=parse_national_number(number), display_name=name, email="", language=language
        )
        for spec in specs:
            seed_dossier(spec, party, organisations, municipalities, regulations)
            dossier = Dossier.objects.get(
                organisation=organisations[spec.organisation], external_id=f"DEMO-{spec.key}"
            )
            if dossier.language != language:
                Dossier.objects.filter(pk=dossier.pk).update(language=language)
            PostalAddress.objects.get_or_create(
                dossier=dossier,
                defaults={"name": addressee, "street": street, "postal_code": postal_code, "town": town},
            )
            lettered.add(spec.organisation)
    for slug in sorted(lettered):
        made += letters_batch_build(organisation=organisations[slug]).made
    if stdout is not None:
        stdout.write(f"letters: {made} new letter(s) by post for the demo citizens who are not digital")
