"""The web chat in real headless Chromium on the local runtime: what a first visit downloads, and how long a student
waits from Enter to the answer on screen, next to a bare `POST /chat` from the same page in the same run.

- page weight: every response of the first load (empty cache), as sent locally and gzip-compressed (what
  CloudFront's compression sends; goal <= 150 KB compressed);
- Enter -> answer visible: in the page, from the Enter keydown to the answer's element in the DOM (a
  MutationObserver), for a database intent; the bare call is `fetch('/chat')` with the same message from the same
  page (goal: web p50/p95 <= 1.5x bare + 30 ms).

Starts its own runtime (`platform up --detach`) on free ports in a temp dir; needs `make browser`.

    .venv/bin/python bench/web_bench.py [--turns 50]
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import HEADER, PLATFORM, Stats, runtime_environment, stats

CHROMIUM = os.environ.get("CAMPUSBOT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
MESSAGE = "recommend a university for medicine in Germany"

ENTER_TO_ANSWER = """async (message) => {
  const log = document.getElementById('log');
  const before = log.querySelectorAll('article.msg.bot').length;
  const input = document.getElementById('input');
  input.value = message;
  const seen = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (log.querySelectorAll('article.msg.bot').length <= before) return;
      observer.disconnect();
      resolve(performance.now());
    });
    observer.observe(log, { childList: true, subtree: true });
  });
  const started = performance.now();
  input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
  return (await seen) - started;
}"""

BARE = """async (message) => {
  const started = performance.now();
  const response = await fetch('/chat', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message }) });
  await response.json();
  return performance.now() - started;
}"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=50, help="turns measured, each way")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="campusbot-web-bench-"))
    runtime = runtime_environment(data_dir)
    env, platform_cli = runtime.env, PLATFORM
    subprocess.run([*platform_cli, "up", "--detach"], env=env, check=True, capture_output=True)
    url = f"http://127.0.0.1:{runtime.gateway_port}/"
    files: list[tuple[str, int, int]] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()

            def record(response: object) -> None:
                body = response.body()  # type: ignore[attr-defined]
                name = response.url.removeprefix(url) or "index.html"  # type: ignore[attr-defined]
                files.append((name, len(body), len(gzip.compress(body, 6))))

            page.on("response", record)
            page.goto(url)
            page.wait_for_selector("html[data-ready='true']")
            page.wait_for_load_state("networkidle")
            page.remove_listener("response", record)
            for _ in range(5):  # warm-up, both ways
                page.evaluate(ENTER_TO_ANSWER, MESSAGE)
                page.evaluate(BARE, MESSAGE)
            web: list[float] = []
            bare: list[float] = []
            began = {"web": 0.0, "bare": 0.0}
            for i in range(args.turns):  # interleaved, so both see the same machine load
                if i % 10 == 0:
                    page.get_by_role("button", name="New conversation").click()
                t = time.perf_counter()
                web.append(page.evaluate(ENTER_TO_ANSWER, MESSAGE) / 1000)
                began["web"] += time.perf_counter() - t
                t = time.perf_counter()
                bare.append(page.evaluate(BARE, MESSAGE) / 1000)
                began["bare"] += time.perf_counter() - t
            browser.close()
    finally:
        subprocess.run([*platform_cli, "down"], env=env, check=False, capture_output=True)
        shutil.rmtree(data_dir, ignore_errors=True)

    results: list[Stats] = [
        stats("bare POST /chat (fetch from the page)", bare, began["bare"]),
        stats("web chat: Enter -> answer visible", web, began["web"]),
    ]
    print(f"campusbot web chat — {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("first load (empty cache):")
    for name, raw, compressed in files:
        print(f"  {name:<20} {raw / 1024:>7.1f} KB   gzip {compressed / 1024:>6.1f} KB")
    total_raw, total_gzip = sum(f[1] for f in files), sum(f[2] for f in files)
    verdict = "meets" if total_gzip <= 150 * 1024 else "MISSES"
    print(
        f"  {'total':<20} {total_raw / 1024:>7.1f} KB   gzip {total_gzip / 1024:>6.1f} KB  (goal <= 150 KB: {verdict})"
    )
    print(HEADER)
    for result in results:
        print(result.row())
    b, w = results
    for q, bq, wq in (("p50", b.p50_ms, w.p50_ms), ("p95", b.p95_ms, w.p95_ms)):
        goal = 1.5 * bq + 30
        print(
            f"{q}: web {wq:.1f} ms vs bare {bq:.1f} ms; goal <= {goal:.1f} ms ({'meets' if wq <= goal else 'MISSES'})"
        )


if __name__ == "__main__":
    main()
