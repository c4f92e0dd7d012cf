"""The load test's people, for locust (headless, started by ``bench.load``).

* Citizens log in (``bench/login/``, see ``bench.login``), open their overview and their dossiers,
  pay one in the Stripe stand-in (our pay page, the hosted page's "Bancontact" button, back to our
  status page; the stand-in's signed webhook then books it through a django-q2 worker) and contest
  one (the organisation's contest form). They also open the foundation benchmark's minimal view
  (``minimal_50_rows``), so that every request type has its ratio to it, measured under the same load.
* Clerks (TOTP set up) open their inbox on "received" and decide open contests.
* City systems check rights (``/api/v1/rights-check/``) and import small batches of retributions
  (``/api/v1/dossiers/bulk/``, NDJSON).

Everyone waits 1–3 s between actions (a closed model with think time), so a run measures what one
request costs at a steady, moderate load, not how long the queue of a saturated server grows.
The people come from the JSON file in ``BENCH_LOAD_DATA`` (``bench.load_setup``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import uuid

from locust import HttpUser, between, task

DATA = json.loads(open(os.environ["BENCH_LOAD_DATA"], encoding="utf-8").read())  # noqa: SIM115
CITIZENS = itertools.cycle(DATA["citizens"])
CLERKS = itertools.cycle(DATA["clerks"])
SYSTEMS = itertools.cycle(DATA["systems"])
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
BULK_LINES = 50


def csrf_of(response) -> str:
    match = CSRF.search(response.content)
    return match[1].decode() if match else ""


def log_in(user: HttpUser, username: str) -> None:
    page = user.client.get("/bench/login/", name="login (form)")
    user.client.post(
        "/bench/login/",
        {"username": username, "csrfmiddlewaretoken": csrf_of(page)},
        headers={"Referer": f"{user.host}/bench/login/"},
        name="login",
        allow_redirects=False,
    )


class Citizen(HttpUser):
    weight = 8
    wait_time = between(1, 3)

    def on_start(self) -> None:
        person = next(CITIZENS)
        self.dossiers = list(person["dossiers"])
        # Each dossier is paid or contested once; a person's lists are shared by the users that play them.
        self.payable = person["payable"]
        self.contestable = person["contestable"]
        self.username = person["username"]
        log_in(self, self.username)

    @task(1)
    def log_in_again(self) -> None:
        """People come and go: a fresh session now and then, so logins stay in the numbers."""
        log_in(self, self.username)

    @task(6)
    def overview(self) -> None:
        self.client.get("/nl/mijn/", name="citizen: overview")

    @task(3)
    def minimal(self) -> None:
        self.client.get("/bench/minimal-50-rows/", name="minimal_50_rows")

    @task(4)
    def dossier(self) -> None:
        if self.dossiers:
            reference = random.choice(self.dossiers)
            self.client.get(f"/nl/mijn/dossiers/{reference}/", name="citizen: dossier")

    @task(1)
    def pay(self) -> None:
        if not self.payable:
            return
        reference = self.payable.pop()
        page = self.client.get(f"/nl/mijn/dossiers/{reference}/betalen/", name="citizen: pay (choose)")
        if page.status_code != 200 or b'name="dossier"' not in page.content:
            return  # not payable online any more (a deadline passed, paid meanwhile): nothing to do
        started = self.client.post(
            f"/nl/mijn/dossiers/{reference}/betalen/",
            {"dossier": reference, "csrfmiddlewaretoken": csrf_of(page)},
            headers={"Referer": page.url},
            name="citizen: pay (start)",
            allow_redirects=False,
        )
        checkout = started.headers.get("Location", "")
        if started.status_code != 303 or "/checkout/pay/" not in checkout:
            return
        # The hosted page answers with a redirect back to our status page, which follows.
        self.client.post(checkout, {"action": "bancontact"}, name="stand-in: pay")

    @task(1)
    def contest(self) -> None:
        if not self.contestable:
            return
        reference = self.contestable.pop()
        url = f"/nl/mijn/dossiers/{reference}/formulier/contest/"
        form = self.client.get(url, name="citizen: contest (form)")
        if form.status_code != 200:
            return
        self.client.post(
            url,
            {
                "contest_reason": "other",
                "message": "Ik had een geldig ticket (load test).",
                "csrfmiddlewaretoken": csrf_of(form),
            },
            headers={"Referer": form.url},
            name="citizen: contest (send)",
        )


class Clerk(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        clerk = next(CLERKS)
        self.open = clerk["open"]
        log_in(self, clerk["username"])

    @task(4)
    def inbox(self) -> None:
        self.client.get("/beheer/inzendingen/?status=received", name="clerk: inbox")

    @task(1)
    def decide(self) -> None:
        if not self.open:
            return
        reference = self.open.pop()
        detail = self.client.get(f"/beheer/inzendingen/{reference}/", name="clerk: submission")
        if detail.status_code != 200:
            return
        self.client.post(
            f"/beheer/inzendingen/{reference}/beslissen/",
            {
                "decision": "rejected",
                "motivation": "Geen geldig ticket gevonden (load test).",
                "csrfmiddlewaretoken": csrf_of(detail),
            },
            headers={"Referer": detail.url},
            name="clerk: decide",
        )


class CitySystem(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.system = next(SYSTEMS)
        self.headers = {"Authorization": f"Bearer {self.system['token']}"}

    @task(5)
    def rights_check(self) -> None:
        system = self.system
        self.client.get(
            "/api/v1/rights-check/",
            params={
                "municipality": system["municipality"],
                "plate": random.choice(system["plates"]),
                "zone": random.choice(("Z1", "Z2", "Z3")),
            },
            headers=self.headers,
            name="api: rights check",
        )

    @task(1)
    def bulk_import(self) -> None:
        system = self.system
        batch = uuid.uuid4().hex[:12]
        occurred = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        lines = [
            json.dumps(
                {
                    "external_id": f"LOAD-{batch}-{i:03d}",
                    "kind": "parking_retribution",
                    "municipality": system["municipality"],
                    "party": {"national_number": random.choice(system["national_numbers"]), "name": "Houder"},
                    "plate": random.choice(system["plates"]),
                    "street": "Stationsstraat",
                    "zone_code": "Z1",
                    "occurred_at": occurred.isoformat(),
                    "regulation": system["regulation"],
                    "status": "notified",
                    "notified_at": (occurred + dt.timedelta(days=1)).isoformat(),
                }
            )
            for i in range(BULK_LINES)
        ]
        with self.client.post(
            "/api/v1/dossiers/bulk/",
            data=("\n".join(lines) + "\n").encode(),
            headers={**self.headers, "Content-Type": "application/x-ndjson"},
            name=f"api: bulk import ({BULK_LINES} lines)",
            catch_response=True,
        ) as response:
            last = response.text.strip().splitlines()[-1] if response.text.strip() else "{}"
            summary = json.loads(last).get("summary", {})
            if response.status_code != 200 or summary.get("created") != BULK_LINES:
                response.failure(f"bulk import: {response.status_code} {last[:200]}")
