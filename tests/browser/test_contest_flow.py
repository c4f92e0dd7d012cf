"""Issue 3's journey, in three browsers at once: Mechelen's editor builds and publishes a contest form;
An Peeters contests her Mechelen retribution with a photo; the clerk asks for more information; An
answers; the clerk upholds the contest; An sees the retribution cancelled, and the e-mails arrive over
SMTP. axe-core checks the citizen's pages on the way, in Dutch and in French.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.steps import admin_login, demo_login
from tests.browser.test_accessibility import check as axe_check
from tests.forms.citizen_helpers import png_bytes
from tests.mail_sink import MailSink, text_of

pytestmark = pytest.mark.browser

AN_EMAIL = "an.peeters@example.be"
FORM_TITLE = "Bezwaar tegen een parkeerretributie (test)"
CLERK_QUESTION = "Kunt u een foto van het ticket achter de voorruit sturen?"
AN_ANSWER = "Het ticket lag op het dashboard; hier is nog een foto."
MOTIVATION = "Het ticket was geldig op het moment van de vaststelling."


def test_an_editor_builds_a_contest_form_a_citizen_contests_and_a_clerk_upholds_it(
    browser: Browser, live_site, mail_sink: MailSink, screenshot_dir, tmp_path
):
    def new_page() -> Page:
        context = browser.new_context(
            base_url=live_site.url, viewport={"width": 1280, "height": 900}, locale="nl-BE"
        )
        return context.new_page()

    editor, citizen, clerk = new_page(), new_page(), new_page()

    editor_builds_and_publishes_the_form(editor, screenshot_dir=screenshot_dir)

    demo_login(citizen, name="An Peeters")
    dossier_path = an_opens_her_mechelen_retribution(citizen)
    reference = an_contests_it_with_a_photo(citizen, photo=png_file(tmp_path), screenshot_dir=screenshot_dir)
    receipt = mail_sink.wait_for(lambda m: reference in str(m["Subject"]), what="the receipt")
    assert AN_EMAIL in str(receipt["To"])
    assert f"/nl/mijn/berichten/{reference}/" in text_of(receipt)

    admin_login(clerk, username="behandelaar-mechelen", password="demo-behandelaar")
    clerk_requests_information(clerk, reference=reference)
    request_mail = mail_sink.wait_for(
        lambda m: "meer informatie" in str(m["Subject"]) and reference in str(m["Subject"]),
        what="the information request",
    )
    assert CLERK_QUESTION in text_of(request_mail)

    an_answers(citizen, reference=reference, photo=png_file(tmp_path, name="tweede.png"))
    axe_check(citizen, name="submission-nl", width=1280, screenshot_dir=screenshot_dir)
    citizen.goto(f"/fr/mijn/berichten/{reference}/")
    expect(citizen.locator("html")).to_have_attribute("lang", "fr")
    axe_check(citizen, name="submission-fr", width=1280, screenshot_dir=screenshot_dir)

    clerk_upholds(clerk, reference=reference)
    decision = mail_sink.wait_for(
        lambda m: "Beslissing" in str(m["Subject"]) and reference in str(m["Subject"]), what="the decision"
    )
    assert MOTIVATION in text_of(decision)

    citizen.goto(dossier_path)
    expect(citizen.get_by_text("Geannuleerd", exact=True).first).to_be_visible()
    expect(citizen.get_by_role("link", name="Bezwaar indienen")).to_have_count(0)
    axe_check(citizen, name="dossier-cancelled-nl", width=1280, screenshot_dir=screenshot_dir)
    citizen.goto(dossier_path.replace("/nl/", "/fr/", 1))
    expect(citizen.get_by_text("Annulé", exact=True).first).to_be_visible()
    axe_check(citizen, name="dossier-cancelled-fr", width=1280, screenshot_dir=screenshot_dir)
    assert {str(m["To"]) for m in mail_sink.to(AN_EMAIL) if reference in str(m["Subject"])} == {AN_EMAIL}


def editor_builds_and_publishes_the_form(page: Page, *, screenshot_dir) -> None:
    admin_login(page, username="redacteur-mechelen", password="demo-redacteur-mechelen")
    page.goto("/beheer/pages/search/?q=Mechelen")
    edit_link = page.locator("a[href*='/beheer/pages/'][href$='/edit/']", has_text="Mechelen").first
    city_page_id = re.search(r"/pages/(\d+)/edit/", edit_link.get_attribute("href")).group(1)
    page.goto(f"/beheer/pages/add/eloket_forms/formpage/{city_page_id}/")
    page.locator("#id_title").fill(FORM_TITLE)
    page.locator("#id_organisation").select_option(label="Stad Mechelen")
    page.locator("#id_purpose").select_option(value="contest")
    page.locator("input[name=dossier_kinds][value=parking_retribution]").check()
    page.wait_for_load_state("networkidle")  # the admin's scripts wire the "add" button up
    page.locator("#id_form_fields-ADD").click()
    page.locator("input[id$='-label'][id^='id_form_fields-']").first.fill("Foto's van het ticket")
    page.locator("select[id$='-field_type'][id^='id_form_fields-']").first.select_option(value="files")
    page.locator("input[id$='-required'][id^='id_form_fields-']").first.uncheck()
    page.locator("footer").get_by_role("button", name=re.compile("Meer acties|More actions", re.I)).click()
    page.get_by_role("button", name=re.compile("^Publiceren$|^Publish$")).click()
    page.screenshot(path=str(screenshot_dir / "editor-published.png"), full_page=True)
    expect(page.locator(".messages")).to_contain_text(FORM_TITLE)


def an_opens_her_mechelen_retribution(page: Page) -> str:
    page.goto("/nl/mijn/?kind=parking_retribution")
    row = page.locator(".dossier-table tbody tr", has_text="Mechelen")
    expect(row).to_have_count(1)
    row.get_by_role("link").first.click()
    expect(page.get_by_role("link", name="Bezwaar indienen")).to_be_visible()
    return page.url.replace(page.url.split("/nl/")[0], "")


def an_contests_it_with_a_photo(page: Page, *, photo, screenshot_dir) -> str:
    page.get_by_role("link", name="Bezwaar indienen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FORM_TITLE)
    expect(page.get_by_test_id("form-party")).to_have_text("An Peeters")
    axe_check(page, name="contest-form-nl", width=1280, screenshot_dir=screenshot_dir)
    page.get_by_label("Ik had een geldig parkeerticket").check()
    page.locator("textarea[name=message]").fill("Mijn ticket liep tot 15 uur; vastgesteld om 14.20 uur.")
    page.locator("input[type=file]").first.set_input_files(str(photo))
    page.locator("form.citizen-form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Goed ontvangen")
    axe_check(page, name="contest-received-nl", width=1280, screenshot_dir=screenshot_dir)
    return page.get_by_test_id("submission-reference").inner_text().strip()


def clerk_requests_information(page: Page, *, reference: str) -> None:
    page.goto("/beheer/inzendingen/")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    page.locator("input[name=kind][value=request_information]").check()
    page.locator("textarea[name=body]").fill(CLERK_QUESTION)
    page.get_by_role("button", name="Voorbeeld van de e-mail").click()
    expect(page.get_by_text(CLERK_QUESTION).first).to_be_visible()
    page.get_by_role("button", name="Informatievraag versturen").click()
    expect(page.locator(".messages")).to_be_visible()


def an_answers(page: Page, *, reference: str, photo) -> None:
    page.goto("/nl/mijn/berichten/")
    page.get_by_role("link", name=re.compile(reference)).first.click()
    expect(page.get_by_test_id("thread")).to_contain_text(CLERK_QUESTION)
    page.locator("textarea[name=body]").fill(AN_ANSWER)
    page.locator("input[type=file][name=attachments]").set_input_files(str(photo))
    page.get_by_role("button", name="Antwoord versturen").click()
    expect(page.get_by_test_id("thread")).to_contain_text(AN_ANSWER)


def clerk_upholds(page: Page, *, reference: str) -> None:
    page.goto(f"/beheer/inzendingen/{reference}/")
    expect(page.get_by_text(AN_ANSWER).first).to_be_visible()
    page.locator("input[name=decision][value=upheld]").check()
    page.locator("textarea[name=motivation]").fill(MOTIVATION)
    page.get_by_role("button", name="Beslissing versturen").click()
    expect(page.locator(".messages")).to_be_visible()


def png_file(folder, *, name: str = "ticket.png"):
    """A real PNG on disk, so the upload passes the check on its bytes."""
    path = folder / name
    path.write_bytes(png_bytes())
    return path
