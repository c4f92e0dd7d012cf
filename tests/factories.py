"""Factories that build objects through the services, with traits named after domain states."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.utils import timezone
from stdnum.be import nn

from eloket import services
from eloket.constants import DossierKind, DossierStatus, OrganisationKind, RepresentationRole
from eloket.identifiers import parse_enterprise_number, parse_national_number
from eloket.models import Dossier, Municipality, Organisation, Regulation, User

_counter = itertools.count(1)


def national_number() -> str:
    body = f"800101{next(_counter) % 1000:03d}"
    return nn.validate(f"{body}{97 - int(body) % 97:02d}")


def enterprise_number() -> str:
    base = f"0{7000000 + next(_counter):07d}"
    return f"{base}{97 - int(base) % 97:02d}"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("nis_code",)

    nis_code = factory.Sequence(lambda n: f"{90000 + n:05d}")
    slug = factory.Sequence(lambda n: f"gemeente-{n}")
    name_nl = factory.Sequence(lambda n: f"Gemeente {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"organisatie-{n}")
    kind = OrganisationKind.CITY
    name_nl = factory.Sequence(lambda n: f"Organisatie {n}")
    iban = "BE21001234567803"
    account_holder = factory.LazyAttribute(lambda o: o.name_nl)
    email = factory.Sequence(lambda n: f"loket{n}@example.be")

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        if create and extracted:
            self.municipalities.set(extracted)


TARIFFS = {
    DossierKind.PARKING_RETRIBUTION: {"forfait": 2000},
    DossierKind.GAS4: {"category_1": 5800, "category_2": 11600},
    DossierKind.GAS5: {"base": 5300, "base_kmh": 10, "per_kmh_outside": 600, "per_kmh_inside": 1100},
    DossierKind.RESIDENT_PERMIT: {"fee": 2500},
    DossierKind.EMPLOYEE_PERMIT: {"fee": 12000},
    DossierKind.IOD_PERMIT: {"fee": 0},
}


class RegulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Regulation

    organisation = factory.SubFactory(OrganisationFactory)
    kind = DossierKind.PARKING_RETRIBUTION
    code = factory.Sequence(lambda n: f"REG-{n}")
    title = factory.LazyAttribute(lambda o: f"Reglement {o.code}")
    valid_from = dt.date(2024, 1, 1)
    pay_term_days = 30
    contest_term_days = 30
    reminder_cost_cents = 1000
    formal_notice_cost_cents = 1500
    tariff = factory.LazyAttribute(lambda o: TARIFFS[o.kind])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Burger {n}")


def person_party(*, name: str = "Jan Janssens", user: User | None = None):
    party, _created = services.party_get_or_create(
        identifier=parse_national_number(national_number()), display_name=name, email="jan@example.be"
    )
    if user is not None:
        services.representation_add(user=user, party=party, role=RepresentationRole.SELF)
    return party


def enterprise_party(*, name: str = "Transport NV", representative: User | None = None):
    party, _created = services.party_get_or_create(
        identifier=parse_enterprise_number(enterprise_number()), display_name=name
    )
    if representative is not None:
        services.representation_add(
            user=representative, party=party, role=RepresentationRole.LEGAL_REPRESENTATIVE
        )
    return party


N, S = DossierStatus.NOTIFIED, DossierStatus


class DossierFactory(factory.django.DjangoModelFactory):
    """``DossierFactory(party=p, kind=..., notified=True)``: created and moved by the services."""

    class Meta:
        model = Dossier

    class Params:
        path = ()
        notified = factory.Trait(path=(N,))
        contested = factory.Trait(path=(N, S.CONTESTED))
        defence = factory.Trait(path=(N, S.DEFENCE))
        reminded = factory.Trait(path=(N, S.REMINDED))
        paid = factory.Trait(path=(N, S.PAID))
        active = factory.Trait(path=(S.ACTIVE,))

    kind = DossierKind.PARKING_RETRIBUTION
    steps = factory.LazyAttribute(lambda o: tuple(o.path))
    municipality = factory.SubFactory(MunicipalityFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    regulation = factory.LazyAttribute(lambda o: RegulationFactory(organisation=o.organisation, kind=o.kind))
    external_id = factory.Sequence(lambda n: f"EXT-{n}")
    plate = "1-ABC-123"
    street = "Markt"
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))
    gas_category = factory.LazyAttribute(lambda o: 1 if o.kind == DossierKind.GAS4 else None)
    speed_limit_kmh = factory.LazyAttribute(lambda o: 50 if o.kind == DossierKind.GAS5 else None)
    measured_speed_kmh = factory.LazyAttribute(lambda o: 66 if o.kind == DossierKind.GAS5 else None)
    built_up_area = factory.LazyAttribute(lambda o: True if o.kind == DossierKind.GAS5 else None)

    @classmethod
    def _create(cls, model_class, *args, steps=(), **kwargs):
        dossier = services.dossier_create(**kwargs)
        for status in steps:
            if status == S.PAID:
                dossier.refresh_from_db()
                services.dossier_register_payment(
                    dossier_id=dossier.pk, amount_cents=dossier.amount_due_cents
                )
            else:
                services.dossier_transition(dossier_id=dossier.pk, to_status=status)
        dossier.refresh_from_db()
        return dossier


def totp_enrol(user: User) -> User:
    """TOTP set up with the demo secret: staff reach the admin only with it (StaffMfaMiddleware)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from eloket.demo.staff_totp import DEMO_TOTP_SECRET

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def staff_login(client, user: User) -> None:
    """A staff member's session, as after password and TOTP (``force_login`` skips both)."""
    client.force_login(totp_enrol(user))
