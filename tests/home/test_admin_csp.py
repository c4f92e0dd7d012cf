"""Every inline script of Wagtail's admin carries the response's nonce (eloket.admin_csp), and nothing
else gets it; in Chromium: tests/browser/test_admin_csp.py."""

import re

import pytest

from tests.csp_check import blocked_inline_scripts, inline_scripts
from tests.factories import UserFactory, staff_login

pytestmark = pytest.mark.django_db


def test_every_inline_script_of_an_admin_page_with_panels_and_choosers_carries_the_nonce(client, genk_page):
    """The form page's editor has an inline panel (its form fields), the publishing schedule's date
    pickers and, in the redirect form, a page chooser: all start with inline scripts."""
    staff_login(client, UserFactory(is_superuser=True, is_staff=True))
    pages = [f"/beheer/pages/add/eloket_forms/formpage/{genk_page.pk}/", "/beheer/redirects/add/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert inline_scripts(response.content.decode()), f"{path}: no inline script, nothing proven"
        assert blocked_inline_scripts(response) == [], path


def test_a_script_a_value_smuggles_into_an_admin_page_gets_no_nonce(client, genk_page):
    """A page title with a script in it (the page editor shows it in its header, its chooser, its
    breadcrumbs): escaped wherever it appears, so no script of it reaches the page, with or without
    the nonce."""
    staff_login(client, UserFactory(is_superuser=True, is_staff=True))
    genk_page.title = 'Genk<script>alert("x")</script>'
    genk_page.save_revision().publish()
    html = client.get(f"/beheer/pages/{genk_page.pk}/edit/").content.decode()
    assert "Genk&lt;script&gt;" in html
    assert re.search(r"<script[^>]*>[^<]*alert", html) is None


def test_the_chooser_script_gets_the_nonce_only_when_it_is_the_widgets_own():
    """BaseChooser.render ends with its own ``<script>…</script>``; a script that is not that last,
    plain one (a value that contains markup) is left without the nonce, so it cannot run."""
    from eloket.admin_csp import admin_nonce, chooser_render_with_nonce

    def render(html):
        return chooser_render_with_nonce(lambda self: html)(None)

    with admin_nonce("abc123"):
        assert render('<input id="x"><script>new PageChooser("x");</script>') == (
            '<input id="x"><script nonce="abc123">new PageChooser("x");</script>'
        )
        smuggled = '<input><script>new PageChooser("</script><script>alert(1)");</script>'
        assert "nonce" not in render(smuggled)
    assert (
        render("<input><script>new PageChooser();</script>") == "<input><script>new PageChooser();</script>"
    )


def test_wagtail_localizes_pages_run_their_scripts_by_the_nonce(client, genk_page):
    """The translation form and the translation editor, whose templates are wagtail-localize's."""
    from wagtail.models import Locale, Page

    staff_login(client, UserFactory(is_superuser=True, is_staff=True))
    french = Locale.objects.get_or_create(language_code="fr")[0]
    submit = f"/beheer/localize/submit/page/{genk_page.pk}/"
    response = client.get(submit)
    assert response.status_code == 200
    assert inline_scripts(response.content.decode()) and blocked_inline_scripts(response) == []

    assert client.post(submit, {"locales": [french.pk]}).status_code == 302
    translated = Page.objects.get(translation_key=genk_page.translation_key, locale=french)
    response = client.get(f"/beheer/pages/{translated.pk}/edit/")
    assert response.status_code == 200
    assert "js-translation-editor" in response.content.decode()  # wagtail-localize's editor
    assert inline_scripts(response.content.decode()) and blocked_inline_scripts(response) == []
