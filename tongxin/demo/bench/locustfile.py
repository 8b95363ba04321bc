"""The load `tongxin bench_intake` sends (run by locust, headless): residents' reports POSTed by
BENCH_USERS clients, each at most BENCH_MAX requests, to BENCH_PATH.

Read from the environment: BENCH_PATH, BENCH_BODIES (a JSON file of request bodies), BENCH_MAX,
BENCH_WARMUP (seconds whose answers are counted but not timed), BENCH_RESULT (where the timings and
the count of each status are written when the run ends), BENCH_KEYS (1: an Idempotency-Key on
each request). This file imports nothing of Tongxin: locust's process stays apart from Django's.
"""

import json
import os
import random
import time
import uuid
from collections import Counter
from typing import Any

from locust import FastHttpUser, events, task
from locust.exception import StopUser

PATH = os.environ.get("BENCH_PATH", "/api/v1/cases/public")
with open(os.environ["BENCH_BODIES"], encoding="utf-8") as _bodies:
    BODIES: list[dict[str, Any]] = json.load(_bodies)
MAX = int(os.environ.get("BENCH_MAX", "1000"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
KEYS = os.environ.get("BENCH_KEYS", "1") == "1"
RUN = uuid.uuid4().hex

STATUSES: Counter[int] = Counter()
TIMED: list[tuple[float, float, int]] = []  # (start, seconds, status) of requests after the warm-up
STARTED = time.time()


class Resident(FastHttpUser):
    # no think time: each client sends its next report as soon as the answer arrives
    def on_start(self) -> None:
        self.sent = 0
        self.rng = random.Random()

    @task
    def report(self) -> None:
        if self.sent >= MAX:
            raise StopUser()
        self.sent += 1
        body = dict(self.rng.choice(BODIES))
        body["reporter_phone"] = f"139{self.rng.randint(10_000_000, 99_999_999)}"
        headers = {"Content-Type": "application/json"}
        if KEYS:
            headers["Idempotency-Key"] = f"{RUN}-{id(self)}-{self.sent}"
        start = time.time()
        with self.client.post(PATH, data=json.dumps(body), headers=headers, catch_response=True) as r:
            seconds = time.time() - start
            STATUSES[r.status_code] += 1
            if start - STARTED >= WARMUP:
                TIMED.append((start, seconds, r.status_code))
            if r.status_code == 201:
                r.success()
            else:
                r.failure(f"answered {r.status_code}")


@events.quitting.add_listener
def _write(environment: Any, **kwargs: Any) -> None:
    with open(os.environ["BENCH_RESULT"], "w", encoding="utf-8") as out:
        json.dump({"statuses": dict(STATUSES), "timed": TIMED}, out)
