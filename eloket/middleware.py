from django.utils.functional import SimpleLazyObject

from eloket.selectors import acting_party_for_user

ACTING_PARTY_SESSION_KEY = "eloket_acting_party"


class ActingPartyMiddleware:
    """Sets ``request.acting_party``: the party the logged-in user acts as (themselves or a company).

    The choice lives in the session and is checked against the user's representations on every
    request, so a stale or forged id falls back to the user's own party.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.acting_party = SimpleLazyObject(
            lambda: acting_party_for_user(
                user=request.user, party_id=request.session.get(ACTING_PARTY_SESSION_KEY)
            )
        )
        return self.get_response(request)
