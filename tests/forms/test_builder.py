"""City editors build form pages in Wagtail: field types with a file upload, stable keys in every
language, checks on purpose, kinds and organisation, and no deleting a form citizens have used."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from eloket.constants import DossierKind
from forms.builder import MultipleFileInput, MultipleFilesField
from forms.constants import FileFieldType, Purpose
from forms.models import FormPage, Submission
from tests.factories import OrganisationFactory, UserFactory, staff_login
from tests.forms.citizen_helpers import form_page_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    staff_login(client, UserFactory(is_staff=True, is_superuser=True))
    return client


def form_page_post(*, organisation, purpose, kinds, fields, action="action-publish", title="Bezwaar"):
    return nested_form_data(
        {
            "title": title,
            "slug": title.lower(),
            "organisation": organisation.pk,
            "purpose": purpose,
            "intro": rich_text("<p>Vul in.</p>"),
            "confirmation_text": rich_text("<p>Bedankt.</p>"),
            "email_subject": "",
            "email_text": "",
            "max_file_size_mb": 10,
            "max_files": 5,
            "form_fields": inline_formset(
                [
                    {"label": label, "field_type": field_type, "required": "on", "help_text": "",
                     "choices": "", "default_value": ""}
                    for label, field_type in fields
                ]
            ),
            "comments": inline_formset([]),
            action: action,
        }
    ) | {"dossier_kinds": kinds}  # fmt: skip


def add_url(parent) -> str:
    return reverse("wagtailadmin_pages:add", args=["eloket_forms", "formpage", parent.pk])


def test_an_editor_builds_and_publishes_a_contest_form_with_a_photo_field_in_the_admin(
    admin_client, genk_page, genk_city
):
    form = admin_client.get(add_url(genk_page)).content.decode()
    assert 'type="checkbox" name="dossier_kinds" value="parking_retribution"' in form
    assert FileFieldType.FILES in form

    response = admin_client.post(
        add_url(genk_page),
        form_page_post(
            organisation=genk_city,
            purpose=Purpose.CONTEST,
            kinds=[DossierKind.PARKING_RETRIBUTION],
            fields=[("Nummer van het ticket", "singleline"), ("Foto's", FileFieldType.FILES)],
        ),
    )
    assert response.status_code == 302, re.findall(
        r'class="error-message"[^>]*>\s*<p>([^<]+)', response.content.decode()
    )
    page = FormPage.objects.get(slug="bezwaar")
    assert page.live and page.dossier_kinds == [DossierKind.PARKING_RETRIBUTION]
    assert [(f.clean_name, f.field_type) for f in page.form_fields.all()] == [
        ("nummer_van_het_ticket", "singleline"),
        ("fotos", FileFieldType.FILES),
    ]
    edit = admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert "nummer_van_het_ticket" in edit  # the key, shown read-only beside the label
    assert 'name="form_fields-0-clean_name"' not in edit


def test_the_file_field_takes_several_files_within_the_forms_limits(genk_page, genk_city):
    page = form_page_make(
        parent=genk_page, organisation=genk_city, purpose=Purpose.CONTEST, max_files=3, max_file_size_mb=2
    )
    field = page.get_form_class()().fields["fotos_of_documenten"]
    assert isinstance(field, MultipleFilesField) and isinstance(field.widget, MultipleFileInput)
    assert (field.limits.max_files, field.limits.max_size_mb) == (3, 2)
    rendered = field.widget.render("fotos", None)
    assert "multiple" in rendered and 'accept="image/jpeg' in rendered
    assert "hoogstens 3 bestanden van elk 2 MB" in str(field.help_text)


def test_an_organisation_that_does_not_serve_the_city_is_refused(admin_client, genk_page, municipalities):
    elsewhere = OrganisationFactory(municipalities=[municipalities["vilvoorde"]])
    response = admin_client.post(
        add_url(genk_page),
        form_page_post(
            organisation=elsewhere, purpose=Purpose.CONTEST, kinds=["parking_retribution"], fields=[]
        ),
    )
    assert response.status_code == 200
    assert "behandelt geen dossiers van Genk" in response.content.decode()
    assert not FormPage.objects.exists()

    page = form_page_make(parent=genk_page, organisation=elsewhere, purpose=Purpose.QUESTION, live=False)
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "organisation" in error.value.message_dict


@pytest.mark.parametrize(
    ("purpose", "kinds", "message"),
    [
        (Purpose.CONTEST, ["gas4"], "kan niet dienen voor: GAS 4"),
        (Purpose.DEFENCE, ["parking_retribution"], "kan niet dienen voor: Parkeerretributie"),
        (Purpose.NAME_DRIVER, [], "Kies voor welke soorten dossier"),
    ],
)
def test_the_dossier_kinds_must_fit_the_purpose(genk_page, genk_city, purpose, kinds, message):
    page = form_page_make(parent=genk_page, organisation=genk_city, purpose=purpose, kinds=kinds, live=False)
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert message in error.value.message_dict["dossier_kinds"][0]


def test_an_editors_field_may_not_take_the_key_of_a_field_every_form_has(admin_client, genk_page, genk_city):
    response = admin_client.post(
        add_url(genk_page),
        form_page_post(
            organisation=genk_city, purpose=Purpose.QUESTION, kinds=[], fields=[("Message", "multiline")]
        ),
    )
    assert response.status_code == 200
    assert "Elk formulier heeft al een veld" in response.content.decode()
    assert not FormPage.objects.exists()


def test_a_translated_form_keeps_its_keys_and_its_submissions_land_together(
    client, genk_page, genk_city, locales, translate
):
    page = form_page_make(
        parent=genk_page, organisation=genk_city, purpose=Purpose.QUESTION, allow_anonymous=True,
        fields=[("Onderwerp", "singleline", True), ("Uw nummerplaat", "singleline", False)],
    )  # fmt: skip
    translate(genk_page.get_parent(), locales["fr"])
    translate(genk_page, locales["fr"])
    french = translate(page, locales["fr"])
    french_field = french.form_fields.get(clean_name="onderwerp")
    french_field.label = "Sujet"
    french_field.save()

    assert [f.clean_name for f in french.form_fields.all()] == [f.clean_name for f in page.form_fields.all()]
    form = client.get(french.url).content.decode()
    assert french.url.startswith("/fr/") and "Sujet" in form
    token = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
    response = client.post(
        french.url,
        {"idempotency_key": token, "contact_name": "Marie", "contact_email": "marie@example.be",
         "message": "Où stationner ?", "onderwerp": "Stationnement", "uw_nummerplaat": "1-ABC-123"},
    )  # fmt: skip
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.form_data == {"onderwerp": "Stationnement", "uw_nummerplaat": "1-ABC-123"}
    assert submission.language == "fr"
    assert submission.page_id == page.pk  # the Dutch source: one list of submissions for every language


def test_a_form_page_with_submissions_cannot_be_deleted_but_one_without_can(
    admin_client, genk_page, genk_city, client
):
    used = form_page_make(
        parent=genk_page, organisation=genk_city, purpose=Purpose.QUESTION, allow_anonymous=True
    )
    unused = form_page_make(parent=genk_page, organisation=genk_city, purpose=Purpose.COMPLAINT, kinds=[])
    Submission.objects.create(
        page=used, organisation=genk_city, purpose=Purpose.QUESTION, idempotency_key="k1",
        contact_name="Jan", form_data={},
    )  # fmt: skip

    response = admin_client.post(reverse("wagtailadmin_pages:delete", args=[used.pk]), follow=True)
    assert "kan niet verwijderd worden" in response.content.decode()
    assert Page.objects.filter(pk=used.pk).exists()
    city = admin_client.post(reverse("wagtailadmin_pages:delete", args=[genk_page.pk]))
    assert city.status_code == 302 and Page.objects.filter(pk=genk_page.pk).exists()

    admin_client.post(reverse("wagtailadmin_pages:delete", args=[unused.pk]))
    assert not Page.objects.filter(pk=unused.pk).exists()
    assert Submission.objects.count() == 1


def test_the_bulk_delete_of_the_page_listing_also_keeps_a_form_with_submissions(
    admin_client, genk_page, genk_city
):
    used = form_page_make(
        parent=genk_page, organisation=genk_city, purpose=Purpose.QUESTION, allow_anonymous=True
    )
    Submission.objects.create(
        page=used, organisation=genk_city, purpose=Purpose.QUESTION, idempotency_key="k2",
        contact_name="Jan", form_data={},
    )  # fmt: skip
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"]) + f"?id={used.pk}"
    response = admin_client.post(url, follow=True)
    assert "kan niet verwijderd worden" in response.content.decode()
    assert Page.objects.filter(pk=used.pk).exists()
