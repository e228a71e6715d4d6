"""The load benchmark's request mix (locust, issue 21): what phones, desks, managers and residents
send, as a weight table. Read by benchmarks/load.py; `LOAD_TOKENS` names the JSON file of tokens
it minted (agents, desk staff, managers) and the ids the requests need."""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid

import gevent
from locust import FastHttpUser, task

with open(os.environ.get("LOAD_TOKENS", "/dev/null")) as handle:
    DATA = json.load(handle) if os.environ.get("LOAD_TOKENS") else {}

from benchmarks.load_weights import TILES, WEIGHTS, booking_body, positions_body

_counter = itertools.count()


def _pick(kind: str):
    people = DATA.get(kind) or [{}]
    return people[next(_counter) % len(people)]


CYCLE_S = 4.0


class Client(FastHttpUser):
    """One simulated client: a request every 4 s on its own beat (the load shape starts 4
    clients per request a second), so a slow answer does not lower the rate offered. Each beat
    starts at a random moment of the first cycle: locust starts the clients of a second in one
    batch, and clients started together would send together every cycle — bursts that queue at
    the web nodes while they sit idle between them (docs/performance.md, "Load"). Locust's own
    `constant_pacing` counts from the client's start, so it would line them up again."""

    def wait_time(self):
        # the next beat; a client whose answer came after it sends at once and keeps the new
        # phase (no debt is paid back in a burst)
        now = time.monotonic()
        self.due = max(self.due + CYCLE_S, now)
        return self.due - now

    def on_start(self):
        self.due = time.monotonic() + random.uniform(0, CYCLE_S)
        gevent.sleep(self.due - time.monotonic())
        self.agent = _pick("agents")
        self.desk = _pick("desk")
        self.manager = _pick("managers")
        self.cursor = None

    def _auth(self, who):
        return {"Authorization": f"Token {who['token']}"} if who.get("token") else {}

    @task(WEIGHTS["day list"])
    def day_list(self):
        self.client.get("/api/v1/me/tasks/", headers=self._auth(self.agent), name="day list")

    @task(WEIGHTS["notifications"])
    def notifications(self):
        self.client.get(
            "/api/v1/me/notifications/", headers=self._auth(self.agent), name="notifications"
        )

    @task(WEIGHTS["sync"])
    def sync(self):
        path = "/api/v1/sync/" + (f"?since={self.cursor}" if self.cursor else "")
        with self.client.get(
            path, headers=self._auth(self.agent), name="sync", catch_response=True
        ) as response:
            if response.status_code == 200:
                self.cursor = response.json().get("cursor")
                response.success()

    @task(WEIGHTS["positions batch"])
    def positions(self):
        self.client.post(
            "/api/v1/me/positions/",
            json=positions_body(self.agent.get("point", [122.0244, 41.2177])),
            headers={**self._auth(self.agent), "Idempotency-Key": uuid.uuid4().hex},
            name="positions batch",
        )

    @task(WEIGHTS["visit check-in"])
    def visit_check_in(self):
        visitor = DATA.get("visitor") or {}
        if not visitor.get("cases"):
            return
        auth = self._auth(visitor)
        with self.client.post(
            "/api/v1/visits/",
            json={"case": random.choice(visitor["cases"]), "client_uuid": str(uuid.uuid4())},
            headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
            name="visit (plan)",
            catch_response=True,
        ) as made:
            if made.status_code != 201:
                return
            visit = made.json()["id"]
            made.success()
        lon, lat = visitor.get("point", [122.0244, 41.2177])
        self.client.post(
            f"/api/v1/visits/{visit}/check-in/",
            json={"position": {"type": "Point", "coordinates": [lon, lat]}, "accuracy_m": 10},
            headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
            name="visit check-in",
        )

    @task(WEIGHTS["booking (desk)"])
    def booking(self):
        self.client.post(
            "/api/v1/appointments/",
            json=booking_body(random.choice(DATA.get("points") or [[122.0244, 41.2177]])),
            headers={**self._auth(self.desk), "Idempotency-Key": uuid.uuid4().hex},
            name="booking (desk)",
        )

    @task(WEIGHTS["tiles (manager)"])
    def tiles(self):
        z, x, y = random.choice(TILES)
        layer = random.choice(["grids", "appointments", "agents"])
        self.client.get(
            f"/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf",
            headers=self._auth(self.manager),
            name="tiles (manager)",
        )

    @task(WEIGHTS["public tracking"])
    def tracking(self):
        phones = DATA.get("phones") or {"NOPE000000": "1234"}
        code = random.choice(list(phones))
        self.client.get(f"/api/v1/track/{code}/?phone={phones[code]}", name="public tracking")

    @task(WEIGHTS["open311 read"])
    def open311(self):
        self.client.get("/open311/v2/requests.json", name="open311 read")
