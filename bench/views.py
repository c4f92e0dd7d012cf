"""The reference the overview is measured against: the least a logged-in Django view can do to show
a party 50 rows of its dossiers. Same middleware, session, login and acting party; one query; a template
of one table with the stored values (no ``get_FOO_display``: with lazily translated choices Django
rebuilds and hashes the whole choice list on every call, 0.1-0.2 ms each, see docs/performance.md)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines

from eloket.models import Dossier

ROWS = 50
TEMPLATE = engines["django"].from_string(
    "<!DOCTYPE html><title>{{ rows|length }} dossiers</title><table>"
    "{% for d in rows %}<tr><td>{{ d.reference }}</td><td>{{ d.kind }}</td>"
    "<td>{{ d.status }}</td><td>{{ d.amount_original_cents }}</td>"
    '<td>{{ d.created_at|date:"j M Y" }}</td></tr>{% endfor %}</table>'
)


@login_required
def minimal_50_rows(request: HttpRequest) -> HttpResponse:
    rows = Dossier.objects.filter(party=request.acting_party).order_by("-created_at", "-id")[:ROWS]
    return HttpResponse(TEMPLATE.render({"rows": rows}, request))


def empty_admin_page(request: HttpRequest) -> HttpResponse:
    """Context for the clerk inbox's number: what Wagtail's admin chrome (menu, sidebar, header) costs
    on its own, an admin page with nothing in it. Not a target; printed beside the inbox."""
    from django.shortcuts import render

    return render(request, "wagtailadmin/generic/base.html", {"page_title": "Leeg"})
