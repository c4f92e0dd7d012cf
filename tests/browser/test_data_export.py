"""'Download my data' in the browser: the page passes axe (WCAG 2.1 AA) and the button downloads the ZIP
of the logged-in demo citizen's own data."""

from __future__ import annotations

import json
import zipfile

import pytest

from tests.browser.test_accessibility import check

pytestmark = pytest.mark.browser


def test_the_export_page_passes_axe_and_its_button_downloads_the_citizens_zip(
    an_page, screenshot_dir, tmp_path
):
    an_page.goto("/nl/mijn/")
    an_page.get_by_test_id("data-export-link").click()
    an_page.wait_for_url("**/mijn/gegevens/")
    check(an_page, name="data-export", width=1280, screenshot_dir=screenshot_dir)

    with an_page.expect_download() as download_info:
        an_page.get_by_test_id("data-export-button").click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    assert download.suggested_filename.startswith("e-loket-gegevens-")
    data = json.loads(zipfile.ZipFile(path).read("data.json"))
    assert data["party"]["display_name"] == "An Peeters"
    assert len(data["dossiers"]) > 1
