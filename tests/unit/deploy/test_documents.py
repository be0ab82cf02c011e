from __future__ import annotations

from pathlib import Path

import boto3
from moto import mock_aws

from campusbot.deploy import documents


def samples(folder: Path) -> Path:
    (folder / "guides").mkdir(parents=True)
    (folder / "guides" / "visa.md").write_text("# Student visa\n\nApply early.\n")
    (folder / "fees.txt").write_text("Tuition is due in October.\n")
    (folder / ".hidden.md").write_text("not me")
    (folder / "image.png").write_bytes(b"\x89PNG")
    return folder


def test_only_readable_documents_are_taken(tmp_path: Path) -> None:
    found = [p.relative_to(tmp_path).as_posix() for p in documents.sample_files(samples(tmp_path / "docs"))]
    assert found == ["docs/fees.txt", "docs/guides/visa.md"]
    assert documents.sample_files(tmp_path / "missing") == []


@mock_aws
def test_upload_is_idempotent_and_sends_changed_files_again(tmp_path: Path) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="docs")
    folder = samples(tmp_path / "docs")
    first = documents.upload_samples(s3, "docs", folder)
    assert [(u.key, u.uploaded) for u in first] == [("samples/fees.txt", True), ("samples/guides/visa.md", True)]
    assert s3.head_object(Bucket="docs", Key="samples/guides/visa.md")["ContentType"] == "text/markdown"
    assert not any(u.uploaded for u in documents.upload_samples(s3, "docs", folder))
    (folder / "fees.txt").write_text("Tuition is due in November.\n")
    again = {u.key: u.uploaded for u in documents.upload_samples(s3, "docs", folder)}
    assert again == {"samples/fees.txt": True, "samples/guides/visa.md": False}
