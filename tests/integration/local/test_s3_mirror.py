"""The docs bucket survives a restart of moto: the mirror follows S3 events and restores what it holds."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.moto_s3 import MotoS3

from campusbot.local.notifier import event_record
from campusbot.local.s3 import BucketMirror


def event(name: str, bucket: str, key: str) -> dict[str, object]:
    return {"Records": [event_record(name, bucket, key, size=1, etag="e", sequencer="1", region="us-east-1")]}


def test_created_and_removed_objects_are_mirrored_and_restored(moto_s3: MotoS3, s3_bucket: str, tmp_path: Path) -> None:
    s3 = moto_s3.client()
    keys = {"rules.md": b"# Rules\nApply by 15 February.", "visas/notes dé été.txt": "unicode ✓".encode()}
    mirror = BucketMirror(s3, s3_bucket, tmp_path)
    for key, body in keys.items():
        s3.put_object(Bucket=s3_bucket, Key=key, Body=body, ContentType="text/markdown")
        mirror.apply(event("ObjectCreated:Put", s3_bucket, key))
    s3.put_object(Bucket=s3_bucket, Key="gone.txt", Body=b"x")
    mirror.apply(event("ObjectCreated:Put", s3_bucket, "gone.txt"))
    s3.delete_object(Bucket=s3_bucket, Key="gone.txt")
    mirror.apply(event("ObjectRemoved:Delete", s3_bucket, "gone.txt"))

    for key in [*keys, "gone.txt"]:  # a restarted moto: the bucket is empty again
        s3.delete_object(Bucket=s3_bucket, Key=key)
    assert BucketMirror(s3, s3_bucket, tmp_path).restore() == 2

    listed = {o["Key"] for o in s3.list_objects_v2(Bucket=s3_bucket).get("Contents", [])}
    assert listed == set(keys)
    for key, body in keys.items():
        got = s3.get_object(Bucket=s3_bucket, Key=key)
        assert got["Body"].read() == body and got["ContentType"] == "text/markdown"


def test_an_event_for_an_object_already_gone_is_skipped(moto_s3: MotoS3, s3_bucket: str, tmp_path: Path) -> None:
    mirror = BucketMirror(moto_s3.client(), s3_bucket, tmp_path)
    mirror.apply(event("ObjectCreated:Put", s3_bucket, "never-there.md"))
    assert mirror.restore() == 0


def test_events_mirrored_at_once_all_reach_the_index(moto_s3: MotoS3, s3_bucket: str, tmp_path: Path) -> None:
    """The notifier delivers a poll's uploads side by side: no index update may overwrite another's."""
    from concurrent.futures import ThreadPoolExecutor

    s3 = moto_s3.client()
    keys = [f"folder/{n:02d}.md" for n in range(24)]
    for key in keys:
        s3.put_object(Bucket=s3_bucket, Key=key, Body=key.encode())
    mirror = BucketMirror(s3, s3_bucket, tmp_path)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda key: mirror.apply(event("ObjectCreated:Put", s3_bucket, key)), keys))
    for key in keys:
        s3.delete_object(Bucket=s3_bucket, Key=key)
    assert BucketMirror(s3, s3_bucket, tmp_path).restore() == len(keys)
