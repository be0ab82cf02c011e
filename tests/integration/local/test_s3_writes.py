"""moto's server as the runtime starts it (`start_s3`) counts the writes to each watched bucket (`BucketWrites`), which
the notifier reads to list the docs bucket only after a change; and the notifier, on that count, still delivers
every upload, removal and retry while an idle bucket is not listed at all."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import httpx
import pytest

from campusbot.local.notifier import S3Notifier
from campusbot.local.ports import free_port
from campusbot.local.s3 import LocalS3, start_s3


@pytest.fixture(scope="module")
def counting_s3() -> Iterator[LocalS3]:
    local = start_s3("127.0.0.1", free_port("127.0.0.1"))
    assert local.provider == "moto" and local.writes is not None
    yield local
    local.stop()


def client(local: LocalS3) -> Any:
    return boto3.client(
        "s3", endpoint_url=local.url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


def test_every_kind_of_write_to_a_watched_bucket_is_counted_and_nothing_else(counting_s3: LocalS3, unique: str) -> None:
    assert counting_s3.writes is not None
    docs, other = f"docs-{unique}", f"other-{unique}"
    s3 = client(counting_s3)
    count, others = counting_s3.writes.watch(docs), counting_s3.writes.watch(other)
    s3.create_bucket(Bucket=docs)
    s3.create_bucket(Bucket=other)
    assert (count(), others()) == (1, 1)
    s3.put_object(Bucket=docs, Key="a.md", Body=b"a")
    assert count() == 2
    s3.list_objects_v2(Bucket=docs)
    s3.head_object(Bucket=docs, Key="a.md")
    s3.get_object(Bucket=docs, Key="a.md")["Body"].read()
    s3.put_object(Bucket=other, Key="a.md", Body=b"elsewhere")
    assert (count(), others()) == (2, 2), "reads and another bucket's writes leave the count as it was"
    s3.copy_object(Bucket=docs, Key="b.md", CopySource={"Bucket": other, "Key": "a.md"})
    s3.delete_objects(Bucket=docs, Delete={"Objects": [{"Key": "a.md"}]})
    upload = s3.create_multipart_upload(Bucket=docs, Key="big.md")["UploadId"]
    part = s3.upload_part(Bucket=docs, Key="big.md", UploadId=upload, PartNumber=1, Body=b"x" * 10)["ETag"]
    s3.complete_multipart_upload(
        Bucket=docs, Key="big.md", UploadId=upload, MultipartUpload={"Parts": [{"ETag": part, "PartNumber": 1}]}
    )
    assert count() == 7  # copy, batch delete, multipart start, its part, its completion
    # virtual-hosted style: the bucket is named by the host, not the path
    port = counting_s3.url.rsplit(":", 1)[1]
    answer = httpx.put(f"{counting_s3.url}/c.md", content=b"c", headers={"Host": f"{docs}.localhost:{port}"})
    assert answer.status_code == 200 and count() == 8
    assert {o["Key"] for o in s3.list_objects_v2(Bucket=docs)["Contents"]} == {"b.md", "big.md", "c.md"}


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_the_notifier_lists_only_after_a_write_and_misses_no_change_nor_retry(
    counting_s3: LocalS3, unique: str
) -> None:
    assert counting_s3.writes is not None
    bucket, s3 = f"docs-{unique}", client(counting_s3)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="there-before.md", Body=b"synced at the start")
    delivered: list[tuple[str, str]] = []
    failing = {"flaky.md": 1}  # fails its first delivery: retried with no new write
    lock = threading.Lock()

    def deliver(event: dict[str, Any]) -> None:
        record = event["Records"][0]
        key = record["s3"]["object"]["key"]
        with lock:
            if failing.get(key, 0) > 0:
                failing[key] -= 1
                raise RuntimeError("the vectorizer failed once")
            delivered.append((record["eventName"], key))

    notifier = S3Notifier(
        s3, bucket, deliver, interval=0.05, retry_delay=0.2, writes=counting_s3.writes.watch(bucket), concurrency=2
    )
    with notifier:
        wait_until(lambda: ("ObjectCreated:Put", "there-before.md") in delivered, "the start-up sync never came")
        wait_until(lambda: notifier.settled, "never settled after the sync")
        idle = notifier.listings
        time.sleep(1.0)  # 20 intervals with no write
        assert notifier.listings == idle, "an idle bucket was listed"

        s3.put_object(Bucket=bucket, Key="new.md", Body=b"uploaded")
        s3.put_object(Bucket=bucket, Key="flaky.md", Body=b"fails once")
        wait_until(lambda: ("ObjectCreated:Put", "new.md") in delivered, "new.md never delivered")
        wait_until(lambda: ("ObjectCreated:Put", "flaky.md") in delivered, "flaky.md was not retried")
        s3.delete_object(Bucket=bucket, Key="new.md")
        wait_until(lambda: ("ObjectRemoved:Delete", "new.md") in delivered, "the removal never delivered")
        wait_until(lambda: notifier.settled, "never settled after the changes")
        settled = notifier.listings
        time.sleep(0.5)
        assert notifier.listings == settled
    assert notifier.failures == 1 and sorted(delivered) == [
        ("ObjectCreated:Put", "flaky.md"), ("ObjectCreated:Put", "new.md"), ("ObjectCreated:Put", "there-before.md"),
        ("ObjectRemoved:Delete", "new.md"),
    ]  # fmt: skip
