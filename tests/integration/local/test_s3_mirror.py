"""The docs bucket survives a restart of moto: the mirror follows S3 events and restores what it holds."""

from __future__ import annotations

import json
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


def test_events_append_to_the_journal_and_restore_folds_it_into_the_snapshot(
    moto_s3: MotoS3, s3_bucket: str, tmp_path: Path
) -> None:
    """An event appends a line (its cost does not grow with the bucket); the snapshot is rewritten only when the
    journal is folded: at restore, or at `compact_after` lines."""
    s3 = moto_s3.client()
    mirror = BucketMirror(s3, s3_bucket, tmp_path)
    mirror.compact_after = 5
    keys = [f"folder/{n:02d}.md" for n in range(7)]
    for key in keys[:4]:
        s3.put_object(Bucket=s3_bucket, Key=key, Body=key.encode())
        mirror.apply(event("ObjectCreated:Put", s3_bucket, key))
    assert not mirror.index_path.exists()  # four events, no snapshot written yet
    assert len(mirror.journal_path.read_text().splitlines()) == 4
    for key in keys[4:]:
        s3.put_object(Bucket=s3_bucket, Key=key, Body=key.encode())
        mirror.apply(event("ObjectCreated:Put", s3_bucket, key))
    assert len(json.loads(mirror.index_path.read_text())) == 5  # folded at the fifth line
    assert len(mirror.journal_path.read_text().splitlines()) == 2
    s3.delete_object(Bucket=s3_bucket, Key=keys[0])
    mirror.apply(event("ObjectRemoved:Delete", s3_bucket, keys[0]))
    with mirror.journal_path.open("a") as journal:  # a crash in the middle of an append
        journal.write('{"key": "folder/torn.md", "ent')

    for key in keys[1:]:  # a restarted moto
        s3.delete_object(Bucket=s3_bucket, Key=key)
    again = BucketMirror(s3, s3_bucket, tmp_path)
    assert again.restore() == 6
    assert not again.journal_path.exists()
    assert sorted(json.loads(again.index_path.read_text())) == keys[1:]
    s3.put_object(Bucket=s3_bucket, Key="after.md", Body=b"after the restart")
    again.apply(event("ObjectCreated:Put", s3_bucket, "after.md"))
    assert BucketMirror(s3, s3_bucket, tmp_path).restore() == 7


def test_an_append_after_a_torn_line_starts_a_line_of_its_own(moto_s3: MotoS3, s3_bucket: str, tmp_path: Path) -> None:
    s3 = moto_s3.client()
    mirror = BucketMirror(s3, s3_bucket, tmp_path)
    mirror.folder.mkdir(parents=True)
    mirror.journal_path.write_text('{"key": "torn.md", "entry": {"fi')  # the last run crashed mid-append
    s3.put_object(Bucket=s3_bucket, Key="kept.md", Body=b"kept")
    mirror.apply(event("ObjectCreated:Put", s3_bucket, "kept.md"))
    s3.delete_object(Bucket=s3_bucket, Key="kept.md")
    assert BucketMirror(s3, s3_bucket, tmp_path).restore() == 1
    assert s3.get_object(Bucket=s3_bucket, Key="kept.md")["Body"].read() == b"kept"
