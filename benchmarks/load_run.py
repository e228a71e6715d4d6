"""Runs locust in this process (gevent) with a stepped shape and writes every request as a sample:
`python -m benchmarks.load_run URL PLAN OUT` — PLAN is JSON [[seconds, clients], …]; OUT gets
JSON [[start, name, ms, status, error], …]. Started by benchmarks/load.py."""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from locust import LoadTestShape  # noqa: E402
from locust.env import Environment  # noqa: E402

from benchmarks import load_mix  # noqa: E402


def main() -> None:
    url, plan, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    samples = []

    class Steps(LoadTestShape):
        def tick(self):
            elapsed = self.get_run_time()
            total = 0
            for seconds, clients in plan:
                total += seconds
                if elapsed < total:
                    # all at once: each client waits a random part of its cycle before its
                    # first request (load_mix.Client.on_start), so the requests are spread
                    return clients, clients
            return None

    def on_request(
        request_type,
        name,
        response_time,
        response_length,
        response=None,
        exception=None,
        start_time=None,
        **kwargs,
    ):
        status = getattr(response, "status_code", 0) or 0
        samples.append(
            [
                round(start_time or time.time(), 3),
                name,
                round(response_time, 1),
                status,
                type(exception).__name__ if exception else "",
            ]
        )

    load_mix.Client.network_timeout = 10.0
    load_mix.Client.connection_timeout = 5.0
    env = Environment(user_classes=[load_mix.Client], shape_class=Steps(), host=url)
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    runner.start_shape()
    runner.shape_greenlet.join()
    runner.quit()
    with open(out, "w") as handle:
        json.dump(samples, handle)


if __name__ == "__main__":
    main()
