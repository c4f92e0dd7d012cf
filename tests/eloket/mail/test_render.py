"""Rendering once per shape and language, then filling in each recipient's values, gives exactly the
mail that full rendering gives: same subject, same plain text, same HTML (escaped the same way)."""

from __future__ import annotations

import itertools

import pytest
from django.test.signals import template_rendered

from eloket.mail.render import MailRenderer, render_mail

AWKWARD = 'Ö\'Brien & Zonen <BV> "Transport"'


def values(**overrides) -> dict[str, str]:
    base = {
        "name": AWKWARD,
        "reference": "RB-26-ABC123",
        "kind": "Parkeerretributie",
        "organisation": "Stad Genk & Partners",
        "municipality": "Genk",
        "amount": "€ 20,00",
        "pay_by": "28 december 2026",
        "contest_by": "28 december 2026",
        "iban": "BE21 0012 3456 7803",
        "account_holder": "Stad <Genk>",
        "ogm": "+++245/9536/58324+++",
        "link": "https://eloket.example.be/nl/mijn/dossiers/RB-26-ABC123/?a=1&b=2",
        "preferences_link": "https://eloket.example.be/nl/mijn/voorkeuren/",
        "permit": "BK-26-Z9",
        "deadline": "28 december 2026",
        "step_up_date": "29 december 2026",
        "step_up_amount": "€ 30,00",
        "step_up_reason": "kosten van de herinnering",
    }
    return {**base, **overrides}


CASES = [
    ("dossier_created", {"is_gas": False, "pay_online": True}, {}),
    ("dossier_created", {"is_gas": True, "pay_online": False}, {"municipality": "", "pay_by": ""}),
    ("dossier_created", {"is_gas": False, "pay_online": False}, {"amount": "", "ogm": "", "contest_by": ""}),
    *[
        ("dossier_updated", {"is_gas": False, "pay_online": True, "change": change}, {})
        for change in (
            "paid",
            "cancelled",
            "reminder",
            "formal_notice",
            "enforceable",
            "collection",
            "decided_upheld",
            "decided_partly",
            "decided_rejected",
        )
    ],
    ("dossier_cancelled_by_permit", {"is_gas": False, "pay_online": False}, {}),
    ("dossier_cancelled_by_permit", {"is_gas": False, "pay_online": False}, {"permit": ""}),
    ("deadline_reminder", {"is_gas": False, "pay_online": True}, {}),
    ("deadline_reminder", {"is_gas": True, "pay_online": False}, {"amount": "", "step_up_amount": ""}),
]


@pytest.mark.parametrize(("template", "shape", "changed"), CASES)
@pytest.mark.parametrize("language", ["nl", "fr", "en", "de"])
def test_compiled_rendering_equals_full_rendering(template, shape, changed, language):
    given = values(**changed)

    compiled = MailRenderer().render(template, language, shape=dict(shape), values=given)
    full = render_mail(template, language, {**shape, **given})

    assert compiled == full
    assert "&amp; Zonen &lt;BV&gt;" in compiled.html  # the name, escaped in the HTML part
    assert AWKWARD in compiled.text  # and verbatim in the plain text


def test_a_shape_is_rendered_once_for_many_recipients():
    rendered = []

    def count(sender, template, context, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(count)
    try:
        renderer = MailRenderer()
        mails = [
            renderer.render(
                "dossier_created",
                "nl",
                shape={"is_gas": False, "pay_online": False},
                values=values(name=f"Burger {n}", reference=f"RB-26-{n:06d}"),
            )
            for n in range(50)
        ]
    finally:
        template_rendered.disconnect(count)

    assert rendered.count("email/dossier_created.txt") == 1
    assert [m.subject for m in mails[:2]] == [
        "Nieuw dossier RB-26-000000: Parkeerretributie van Stad Genk & Partners",
        "Nieuw dossier RB-26-000001: Parkeerretributie van Stad Genk & Partners",
    ]
    assert len({m.text for m in mails}) == 50


def test_an_empty_value_is_part_of_the_shape_not_a_hole():
    renderer = MailRenderer()
    shape = {"is_gas": False, "pay_online": False}
    with_amount, without = (
        renderer.render("dossier_created", "nl", shape=shape, values=values(amount=amount))
        for amount in ("€ 20,00", "")
    )

    assert "Te betalen: € 20,00" in with_amount.text
    assert "Te betalen" not in without.text
    assert list(itertools.islice(without.text.splitlines(), 1)) == [f"Beste {AWKWARD},"]
