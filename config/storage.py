"""Where files live: the local disk on one machine, an S3-compatible bucket when several serve the site.

Two storages, both in the same bucket when ``ELOKET_S3_BUCKET`` is set (``config.settings.base``):

- ``private``: evidence, citizens' attachments, CODA files, exports. Private ACL, at the bucket's root
  (where the first releases put them); served only through the e-loket's views, which check who asks.
- ``default``: Wagtail's images and documents, under ``media/``. Also private objects: a document is
  served through Wagtail's view (``WAGTAILDOCS_SERVE_METHOD = "serve_view"``), an image's renditions
  by signed URLs that the pages write fresh on every rendering. Those URLs point at the bucket, so the
  Content-Security-Policy's ``img-src`` allows the bucket's origin (``media_origin``).

Without a bucket, both are folders (``DJANGO_MEDIA_ROOT``, ``ELOKET_PRIVATE_MEDIA_ROOT``); with
several web machines those must then be shared volumes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

S3_BACKEND = "storages.backends.s3.S3Storage"


def s3_storage(
    *, bucket: str, endpoint_url: str | None, location: str = "", region: str | None = None
) -> dict:
    """Private objects, signed URLs with Signature Version 4 (what every S3-compatible server takes;
    AWS refuses the older version 2 in newer regions)."""
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "signature_version": "s3v4",
            "location": location,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


def media_origin(*, bucket: str, endpoint_url: str | None, origin: str = "") -> str:
    """The origin the signed URLs of images point at: given (a CDN, a custom domain), the endpoint's
    (MinIO, Ceph, a Belgian provider), or AWS's virtual-hosted bucket address."""
    if origin:
        return origin.rstrip("/")
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        return f"{parts.scheme}://{parts.netloc}"
    return f"https://{bucket}.s3.amazonaws.com"
