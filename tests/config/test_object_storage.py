"""Object storage through django-storages against a local S3 server (moto's, which speaks the S3 HTTP
API): evidence in the private storage, Wagtail's images and documents in the default one under
``media/``, all private objects; images by signed URLs that the CSP allows (config/storage.py)."""

from __future__ import annotations

import socket
import urllib.request
from urllib.parse import urlsplit

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse
from moto.server import ThreadedMotoServer

from config.storage import media_origin, s3_storage
from tests.config.test_settings import run_django
from tests.factories import UserFactory, staff_login
from tests.forms.citizen_helpers import png_bytes

BUCKET = "eloket-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",  # the local server's
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-1")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(bucket=BUCKET, endpoint_url=s3_endpoint, region="eu-west-1", location="media"),
        "private": s3_storage(bucket=BUCKET, endpoint_url=s3_endpoint, region="eu-west-1"),
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def acl_is_private(client, key: str) -> bool:
    grants = client.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    return all("AllUsers" not in str(grant.get("Grantee", {})) for grant in grants)


@pytest.mark.django_db
def test_evidence_goes_to_the_bucket_root_as_a_private_object(bucket):
    name = storages["private"].save("bewijs/ab12cd.pdf", ContentFile(b"%PDF-1.4 bewijs"))
    assert keys(bucket) == [name]
    assert acl_is_private(bucket, name)
    assert bucket.get_object(Bucket=BUCKET, Key=name)["Body"].read() == b"%PDF-1.4 bewijs"
    assert "X-Amz-Signature=" in storages["private"].url(name)


@pytest.mark.django_db
def test_wagtail_images_live_under_media_and_are_shown_by_signed_urls(bucket, s3_endpoint):
    from wagtail.images.models import Image

    image = Image.objects.create(title="Parkeerzone", file=ContentFile(png_bytes(), name="zone.png"))
    rendition = image.get_rendition("width-100")

    stored = keys(bucket)
    assert f"media/{image.file.name}" in stored and f"media/{rendition.file.name}" in stored
    assert all(key.startswith("media/") for key in stored)
    assert all(acl_is_private(bucket, key) for key in stored)
    url = rendition.url
    assert url.startswith(f"{s3_endpoint}/") and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (the local server)
        assert response.read()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.django_db
def test_wagtail_documents_are_served_through_the_site_from_the_bucket(bucket, client):
    from wagtail.documents.models import Document

    document = Document.objects.create(
        title="Retributiereglement", file=ContentFile(b"%PDF-1.4 reglement", name="reglement.pdf")
    )
    assert keys(bucket) == [f"media/{document.file.name}"]
    staff_login(client, UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("wagtaildocs_serve", args=[document.pk, document.filename]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 reglement"


def test_the_production_settings_put_both_storages_in_the_bucket_and_allow_its_images():
    code = (
        "from django.conf import settings as s; o = s.STORAGES; "
        "print(o['default']['OPTIONS']['location'], o['private']['OPTIONS']['location'] == '', "
        "o['default']['OPTIONS']['default_acl'], s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    result = run_django(code, ELOKET_S3_BUCKET=BUCKET, ELOKET_S3_ENDPOINT_URL="https://s3.example.be:9000")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split(" ", 3)[:3] == ["media", "True", "private"]
    assert "'https://s3.example.be:9000'" in result.stdout


def test_the_image_origin_is_the_endpoints_a_given_one_or_aws():
    assert (
        media_origin(bucket="b", endpoint_url="https://s3.example.be:9000/x") == "https://s3.example.be:9000"
    )
    assert (
        media_origin(bucket="b", endpoint_url=None, origin="https://cdn.example.be/")
        == "https://cdn.example.be"
    )
    assert media_origin(bucket="b", endpoint_url=None) == "https://b.s3.amazonaws.com"
    assert urlsplit(media_origin(bucket="b", endpoint_url="http://127.0.0.1:9000")).port == 9000
