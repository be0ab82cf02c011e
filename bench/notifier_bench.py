"""What the local S3 notifier costs while nothing is uploaded, by the number of documents in the bucket.

moto's server as the runtime starts it (`local.s3.start_s3`, in this process, counting the writes to the docs bucket)
holds N objects; an `S3Notifier` polls it every `--interval` seconds for `--seconds` seconds with nothing uploaded,
and this process's CPU time (moto answering, botocore parsing, the notifier comparing) is measured:
- every poll lists: the notifier without the write count (`writes=None`, as with LocalStack, and as it ran with moto
  until issue 18's end);
- on writes: the notifier reading moto's count of writes to the bucket, listing only after one.
Then one upload into the idle bucket, timed from the PutObject to its delivery (the hint must not delay it). Printed
per size: the CPU of one listing, the share of one core each variant spends idle, and that upload's delay.

    .venv/bin/python bench/notifier_bench.py [--sizes 100,1000,3000] [--seconds 5] [--interval 1]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import boto3

from campusbot.local.notifier import S3Notifier
from campusbot.local.ports import free_port
from campusbot.local.s3 import start_s3


def fill(s3: Any, bucket: str, count: int) -> None:
    s3.create_bucket(Bucket=bucket)
    for i in range(count):
        s3.put_object(Bucket=bucket, Key=f"docs/folder-{i // 100}/document-{i}.md", Body=b"# A document\n")


def idle_share(seconds: float) -> float:
    """The share of one core this process spends in the next `seconds` (a notifier polling an unchanged bucket)."""
    began = time.process_time()
    time.sleep(seconds)
    return (time.process_time() - began) / seconds


def upload_delay(s3: Any, bucket: str, delivered: dict[str, float], timeout: float = 30) -> float:
    key = f"new-{time.monotonic_ns()}.md"
    began = time.monotonic()
    s3.put_object(Bucket=bucket, Key=key, Body=b"# New\n")
    while key not in delivered:
        if time.monotonic() - began > timeout:
            raise SystemExit(f"{key} was never delivered")
        time.sleep(0.005)
    return delivered[key] - began


def run(s3: Any, bucket: str, size: int, interval: float, seconds: float, writes: Callable[[], int] | None) -> str:
    delivered: dict[str, float] = {}

    def deliver(event: dict[str, Any]) -> None:
        delivered[event["Records"][0]["s3"]["object"]["key"]] = time.monotonic()

    with S3Notifier(s3, bucket, deliver, interval=interval, concurrency=4, writes=writes) as notifier:
        deadline = time.monotonic() + 300
        # the start-up sync: every object delivered once (and, on writes, a listing that left nothing behind)
        while len(delivered) < size or (writes is not None and not notifier.settled):
            if time.monotonic() > deadline:
                raise SystemExit(f"the start-up sync of {bucket} did not finish")
            time.sleep(0.05)
        listings = notifier.listings
        share = idle_share(seconds)
        listed = notifier.listings - listings
        delay = upload_delay(s3, bucket, delivered)
    return (
        f"{share:6.1%} of a core idle ({listed} listings in {seconds:.0f} s); an upload delivered after {delay:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,3000", help="documents in the bucket, comma-separated")
    parser.add_argument("--seconds", type=float, default=5.0, help="idle time measured per variant")
    parser.add_argument("--interval", type=float, default=1.0, help="the notifier's poll interval (the runtime's)")
    args = parser.parse_args()
    local = start_s3("127.0.0.1", free_port("127.0.0.1"))
    assert local.writes is not None
    s3 = boto3.client("s3", endpoint_url=local.url, region_name="us-east-1", aws_access_key_id="local",
                      aws_secret_access_key="local")  # fmt: skip
    try:
        for size in (int(n) for n in args.sizes.split(",")):
            bucket = f"bench-docs-{size}"
            fill(s3, bucket, size)
            pages = -(-size // 1000)  # ListObjectsV2 answers at most 1,000 keys a page
            paginated = S3Notifier(s3, bucket, lambda event: None)
            began = time.process_time()
            paginated.list_objects()
            listing = time.process_time() - began
            print(f"{size} documents: one listing {listing * 1000:.0f} ms of CPU ({pages} page(s))")
            print(f"  every poll lists: {run(s3, bucket, size, args.interval, args.seconds, None)}")
            watch = local.writes.watch(bucket)
            print(f"  on writes:        {run(s3, bucket, size, args.interval, args.seconds, watch)}")
    finally:
        local.stop()


if __name__ == "__main__":
    main()
