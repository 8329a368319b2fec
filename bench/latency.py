"""Concurrency under API latency: the queue keeps `concurrency` requests in flight.

The fake OpenAI server answers each image after 5 s; 100 jobs at concurrency 8
ideally take 100 / 8 × 5 s = 62.5 s — the figure is judged against that ideal
(a single run: it is long, and waiting dominates, so noise barely moves it).
Then the server enforces a rate limit (at most 4 request starts in any 1 s; beyond
it 429 with `retry-after`) and counts the requests that arrive while an earlier
`retry-after` has not expired. It runs twice: with `openai_images_per_minute` not
set (only OpenAI's retry-after is followed) and set to the server's 240 a minute
(requests are paced, shared through the queue backend).

Run: `.venv/bin/python bench/latency.py` (about 2 min).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import FinishedJobs, Table, app_dirs, machine
from snapasset_desktop.queue.consumer import EmbeddedConsumer
from snapasset_desktop.services.batch_files import BatchLine
from snapasset_desktop.services.context import AppContext
from tests.helpers.fake_openai import FakeOpenAIServer, latency

JOBS = 100
CONCURRENCY = 8
SECONDS_PER_IMAGE = 5.0
LIMITED_JOBS = 24
LIMIT = (4, 1.0)  # requests per second the rate-limited server allows
LIMITED_LATENCY = 0.5


def run_batch(server: FakeOpenAIServer, jobs: int, **settings: object) -> tuple[float, int]:
    """Seconds from submit to the last job's end, and how many completed."""
    os.environ["OPENAI_API_KEY"] = server.api_key
    with app_dirs(
        provider="openai",
        openai_base_url=server.base_url,
        concurrency=CONCURRENCY,
        max_jobs_per_minute=0,
        **settings,
    ):
        context = AppContext.open()
        consumer = EmbeddedConsumer(context.queue)
        consumer.start()
        try:
            lines = [BatchLine(i + 1, f"a lighthouse at dawn, take {i}") for i in range(jobs)]
            finished = FinishedJobs(context, jobs)
            started = time.perf_counter()
            result = context.jobs.submit_batch(lines, ["instagram-square"])
            assert finished.wait(600), "the jobs did not finish"
            elapsed = time.perf_counter() - started
            completed = sum(context.jobs.get(j).status == "completed" for j in result.job_ids)
        finally:
            consumer.stop()
            context.close()
    return elapsed, completed


def rate_limited_rows(table: Table, per_minute: int) -> None:
    """The rate-limited server, with `openai_images_per_minute` not set (0) or set to its limit."""
    with FakeOpenAIServer(rate_limit=LIMIT) as server:
        server.script([latency(LIMITED_LATENCY)] * (LIMITED_JOBS * 20))
        elapsed, completed = run_batch(
            server,
            LIMITED_JOBS,
            retry_attempts=20,
            retry_delay=0.5,
            partial_images=0,
            openai_images_per_minute=per_minute,
        )
        requests = len([r for r in server.requests if r.method == "POST"])
        refused, early = server.rate_limited, server.early
    ideal = LIMITED_JOBS / LIMIT[0] * LIMIT[1]
    setting = f"limit set ({per_minute}/min)" if per_minute else "limit not set (retry-after only)"
    table.add(
        f"{LIMITED_JOBS} jobs, server allows {LIMIT[0]}/s, {setting}: time (vs limit)",
        f"{elapsed:.1f} s ({completed} completed)",
        f"{ideal:.1f} s",
        f"{elapsed / ideal:.2f}×",
    )
    judged = per_minute > 0  # without the limit, the first burst is refused: nothing knows it
    table.add(
        "  requests / answered 429",
        f"{requests} / {refused}",
        f"{LIMITED_JOBS} / 0",
        "",
        f"{LIMITED_JOBS} / 0" if judged else "",
        (requests, refused) == (LIMITED_JOBS, 0) if judged else None,
    )
    table.add(
        "  requests sent before retry-after expired",
        str(early),
        "0",
        "",
        "0" if judged else "",
        early == 0 if judged else None,
    )


def main() -> None:
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    print(f"concurrency under API latency · machine: {machine()}")
    table = Table("Concurrency under API latency")

    with FakeOpenAIServer() as server:
        server.script([latency(SECONDS_PER_IMAGE)] * (JOBS + 20))
        elapsed, completed = run_batch(server, JOBS)
    ideal = JOBS / CONCURRENCY * SECONDS_PER_IMAGE
    table.add(
        f"{JOBS} jobs × {SECONDS_PER_IMAGE:.0f} s, concurrency {CONCURRENCY} (vs ideal)",
        f"{elapsed:.1f} s ({completed} completed)",
        f"{ideal:.1f} s",
        f"{elapsed / ideal:.3f}×",
        "≤ 1.1×",
        elapsed / ideal <= 1.1 and completed == JOBS,
    )

    for per_minute in (0, LIMIT[0] * 60 / LIMIT[1]):
        rate_limited_rows(table, int(per_minute))
    table.print()


if __name__ == "__main__":
    main()
