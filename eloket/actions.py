"""Which citizen actions have a working view behind them.

A policy says which actions apply to a dossier in its status; an action is shown only once an issue
has registered the URL that carries it out, so the citizen never meets a dead button. A builder may
return None for a dossier it has nothing for (e.g. its organisation has no form for that action): the
action is then left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eloket.models import Dossier


@dataclass(frozen=True)
class ActionLink:
    code: str
    label: str
    url: str


_URL_BUILDERS: dict[str, Callable[[Dossier], str | None]] = {}


def action_register(code: str, url_builder: Callable[[Dossier], str | None]) -> None:
    _URL_BUILDERS[code] = url_builder


def actions_for(dossier: Dossier) -> list[ActionLink]:
    from eloket.constants import CitizenAction

    labels = dict(CitizenAction.choices)
    links = []
    for code in dossier.policy.citizen_actions(dossier):
        url = _URL_BUILDERS[code](dossier) if code in _URL_BUILDERS else None
        if url:
            links.append(ActionLink(code=code, label=str(labels[code]), url=url))
    return links
