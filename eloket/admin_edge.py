"""Our edge in front of a few Wagtail admin views (``urlpatterns``, included in ``config/urls.py``
under the admin prefix, before Wagtail's own admin URLs, so these win; nothing in site-packages
is changed).

- The document and image choosers' ``chosen/<pk>/`` take any string and look it up as an integer: a
  non-numeric id raised ``ValueError`` (a 500). Here it is a 404, like an id that does not exist.
- The external-link chooser's form breaks (``AttributeError``, a 500) on a POST without its URL
  field: that is a malformed request, 400. Any other POST, and every GET, goes to Wagtail's view.
- Wagtail's logout view refuses a GET with 405 but still deletes the session cookie on that answer,
  so a GET (a link, an image on another site) did log the browser out. Here a GET is a plain 405
  and only a POST reaches Wagtail's view.

Every view keeps Wagtail's admin-access check (``require_admin_access``), as its own URLs have it.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.account import LogoutView
from wagtail.admin.views.chooser import ExternalLinkView

# Any path segment with a character that is not an ASCII digit (what Django's ``int`` converter takes).
NOT_AN_ID = r"(?P<pk>[^/]*[^0-9/][^/]*)"
EXTERNAL_LINK_URL_FIELD = f"{ExternalLinkView.form_prefix}-{ExternalLinkView.link_url_field_name}"

_external_link_view = ExternalLinkView.as_view()


@require_admin_access
def chooser_id_not_found(request: HttpRequest, pk: str) -> HttpResponse:
    raise Http404


@require_admin_access
def external_link_chooser(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and EXTERNAL_LINK_URL_FIELD not in request.POST:
        return HttpResponseBadRequest(_("Het formulier mist het adres van de link."))
    return _external_link_view(request)


admin_logout = require_admin_access(require_POST(LogoutView.as_view()))


urlpatterns = [
    re_path(rf"^documents/chooser/chosen/{NOT_AN_ID}/$", chooser_id_not_found),
    re_path(rf"^images/chooser/chosen/{NOT_AN_ID}/$", chooser_id_not_found),
    path("choose-external-link/", external_link_chooser),
    path("logout/", admin_logout),
]
