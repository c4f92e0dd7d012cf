"""What the load test's simulated people need, prepared in the database and written to a JSON file
for ``bench/locustfile.py``: citizens (a login each, their dossiers, what they can pay or contest),
clerks (a login with TOTP set up, open contests of their organisation to decide) and city systems
(an API key, municipalities and plates to check, a regulation to import retributions under).

Citizens are parties drawn at random through random dossiers, so they have as many dossiers as
people in the database have: the same people-shaped sample on a database of 1 million dossiers or
10 million. Idempotent: users, keys and forms made by an earlier run are reused.
"""

from __future__ import annotations

import random

from django.db.models import Count, Max, Min, Q

CITIZENS = 300
CLERK_ORGANISATIONS = 4
API_ORGANISATIONS = 3
OPEN_CONTESTS_PER_CLERK = 400
RIGHTS_CHECKS_PER_MINUTE = 1_000_000  # the key's own limit would otherwise answer 429 under load


def prepare(*, citizens: int = CITIZENS, seed: int = 7) -> dict:
    from eloket.models import Dossier

    span = Dossier.objects.aggregate(first=Min("id"), last=Max("id"))
    if span["last"] is None:
        raise SystemExit("bench load: the database has no dossiers (seed_demo --scale N first)")
    rng = random.Random(seed)
    return {
        "citizens": _citizens(rng, span["first"], span["last"], citizens),
        "clerks": _clerks(),
        "systems": _systems(rng),
        "dossiers": Dossier.objects.count(),
    }


def _citizens(rng: random.Random, first: int, last: int, count: int) -> list[dict]:
    from bench.run import bench_user
    from eloket.constants import DossierKind, DossierStatus
    from eloket.models import Dossier

    # Two in three log in because a notice came (the owner of one of the newest dossiers: ids grow with
    # time), the others at random (the owner of any dossier).
    recent_first = last - max(count * 10, (last - first) // 50)
    party_ids: list[int] = []
    while len(party_ids) < count:
        ids = [rng.randint(recent_first if i % 3 else first, last) for i in range(count * 2)]
        for party_id in Dossier.objects.filter(pk__in=ids).values_list("party_id", flat=True):
            if party_id not in party_ids and len(party_ids) < count:
                party_ids.append(party_id)
    people = []
    contest_organisations = set()
    for party_id in party_ids:
        user = bench_user(party_id=party_id)
        dossiers = list(
            Dossier.objects.filter(party_id=party_id)
            .order_by("-created_at", "-id")
            .values("reference", "kind", "status", "organisation_id")[:20]
        )
        open_ = [d for d in dossiers if d["status"] in (DossierStatus.NOTIFIED, DossierStatus.REMINDED)]
        # Notified retributions alternate between contesting and paying; anything else open is paid.
        retributions = [
            d
            for d in open_
            if d["kind"] == DossierKind.PARKING_RETRIBUTION and d["status"] == DossierStatus.NOTIFIED
        ]
        contestable = [d["reference"] for d in retributions[::2]]
        payable = [d["reference"] for d in open_ if d["reference"] not in set(contestable)]
        contest_organisations.update(d["organisation_id"] for d in retributions[::2])
        people.append(
            {
                "username": user.username,
                "dossiers": [d["reference"] for d in dossiers],
                "payable": payable,
                "contestable": contestable,
            }
        )
    if not _contest_forms(contest_organisations):
        print("bench load: no city page (seed_demo), so no contest forms: citizens do not contest")
        for person in people:
            person["contestable"] = []
    return people


def _contest_forms(organisation_ids: set[int]) -> bool:
    """A live contest form for each organisation whose retributions the citizens may contest, made as
    the demo makes its forms (``forms.demo``), under a city page of a municipality it serves (made
    too, if the synthetic municipality has none). False without a home page to put them under."""
    from eloket.constants import DossierKind
    from eloket.models import Organisation
    from forms.constants import Purpose
    from forms.demo import FORMS, _form_ensure
    from forms.models import FormPage
    from home.models import CityPage, HomePage

    home = HomePage.objects.filter(locale__language_code="nl").order_by("path").first()
    if home is None:
        return False
    have = set(
        FormPage.objects.filter(purpose=Purpose.CONTEST, organisation_id__in=organisation_ids).values_list(
            "organisation_id", flat=True
        )
    )
    for organisation in Organisation.objects.filter(pk__in=organisation_ids - have):
        municipality = organisation.municipalities.order_by("nis_code").first()
        city = CityPage.objects.filter(municipality=municipality, locale=home.locale).first()
        if city is None:
            city = CityPage(title=municipality.name_nl, slug=municipality.slug, municipality=municipality)
            home.add_child(instance=city)
            city.save_revision().publish()
        _form_ensure(
            city=city,
            organisation=organisation,
            content=FORMS[Purpose.CONTEST],
            kinds=[DossierKind.PARKING_RETRIBUTION],
            named=True,
            created=[],
        )
    return True


def _clerks() -> list[dict]:
    """A clerk for each of the organisations with the most open contests; those contests' references."""
    from bench.inbox import clerk_user
    from eloket.constants import DossierStatus
    from forms.constants import OPEN_STATUSES, Purpose
    from forms.models import Submission

    open_contests = Submission.objects.filter(
        status__in=OPEN_STATUSES,
        purpose__in=[Purpose.CONTEST, Purpose.DEFENCE],
        dossier__status__in=[DossierStatus.CONTESTED, DossierStatus.DEFENCE],
    )
    organisations = (
        open_contests.values("organisation_id")
        .annotate(n=Count("id"))
        .order_by("-n", "organisation_id")
        .values_list("organisation_id", flat=True)[:CLERK_ORGANISATIONS]
    )
    clerks = []
    for organisation_id in organisations:
        user = clerk_user(organisation_id=organisation_id)
        references = list(
            open_contests.filter(organisation_id=organisation_id)
            .order_by("?")
            .values_list("reference", flat=True)[:OPEN_CONTESTS_PER_CLERK]
        )
        clerks.append({"username": user.username, "organisation_id": organisation_id, "open": references})
    return clerks


def _systems(rng: random.Random) -> list[dict]:
    """An API key for each of the cities that handle the most retributions themselves."""
    from eloket.constants import DossierKind
    from eloket.models import ApiKey, Dossier, Regulation
    from eloket.scale import synthetic_national_number

    regulations = (
        Regulation.objects.filter(
            kind=DossierKind.PARKING_RETRIBUTION,
            municipality__isnull=False,
            organisation__slug__startswith="scale-",
            organisation__kind="city",
        )
        .select_related("municipality", "organisation")
        .order_by("municipality__nis_code")[:API_ORGANISATIONS]
    )
    from eloket.models import Party

    parties = Party.objects.count()
    systems = []
    for regulation in regulations:
        organisation, municipality = regulation.organisation, regulation.municipality
        ApiKey.objects.filter(organisation=organisation, name="bench load").delete()
        prefix, secret, token = ApiKey.new_token()
        ApiKey.objects.create(
            organisation=organisation,
            name="bench load",
            prefix=prefix,
            secret_hash=ApiKey.hash_secret(secret),
            rights_check_per_minute=RIGHTS_CHECKS_PER_MINUTE,
        )
        plates = list(
            Dossier.objects.filter(
                Q(organisation=organisation) | Q(municipality=municipality), municipality=municipality
            )
            .order_by("-id")
            .values_list("plate", flat=True)[:200]
        )
        systems.append(
            {
                "token": token,
                "municipality": municipality.nis_code,
                "regulation": regulation.code,
                "plates": plates,
                "national_numbers": [synthetic_national_number(rng.randrange(parties)) for _ in range(200)],
            }
        )
    return systems
