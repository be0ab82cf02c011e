"""`platform up`: the whole local runtime, no Docker, no AWS account, running what AWS runs with the
configuration AWS gives it.

    embedded PostgreSQL (RDS)        unix socket in .campusbot/pg (the supervisor), and localhost:<port> behind a
                                     TLS endpoint with a password from the local Secrets Manager (the components)
    moto server (S3, Secrets Mgr.)   :4566, or LocalStack when it answers there
    data API (ECS service)           :8000   child process, the ECS task's environment from terraform/stacks/app
    Lambda environments              one process per function (lex_proxy, fulfillment, vectorizer), the function's
                                     environment from the stacks, invoked on RIE's path (`local.lambda_worker`)
    AWS emulator (Lex, Bedrock)      :4567   child process; Lex invokes the fulfillment environment
    API Gateway emulator             :3000   child process; invokes the lex_proxy environment
    S3 notifier (bucket → Lambda)    thread; invokes the vectorizer environment
    CloudWatch Logs → Firehose       threads; lex_proxy's log lines through the stack's subscription filter into
                                     s3://<lake>/chat-events/dt=.../ as Firehose writes them
    DMS stand-in (RDS → lake)        thread; full load, then changes, into s3://<lake>/dms/ (local/dms.py)

The environment of every component comes from `local.aws_environment.derive` (the stacks, the env's tfvars) with
only the values AWS alone produces substituted (`StandIns`), plus the endpoints of the stand-ins. The supervisor
(this module) owns the database, moto and the delivery threads, starts the children, waits until each answers its
health check, replaces a Lambda environment that ends (timeout, crash: a cold start), and stops everything (every
child asked at once) on Ctrl-C, SIGTERM (`platform down`) or when the API or an emulator dies.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

import httpx

from campusbot.files import write_atomically
from campusbot.local.supervisor import GiveUp, RestartPolicy, Supervisor, Threads, describe_exit
from campusbot.settings import Settings

if TYPE_CHECKING:
    import psutil

Progress = Callable[[str], None]
HOST = "127.0.0.1"
HEALTH_PATH = "/_campusbot/health"
SUPERVISION_FAILURES = 150  # rounds of 0.2 s failing in a row (30 s) before the supervisor gives up
READ_NAMES_PATH = "/_campusbot/lex/read-names"  # the emulator's lex_runtime.READ_NAMES_PATH (no FastAPI here)
SECRET_NAME = "campusbot-local/rds-master"
# the shared clients of the runtime (`_client`): the notifier's workers, its mirror, DMS and Firehose at once
SHARED_CLIENT_CONNECTIONS = 32
# The functions the stand-ins invoke: Lex → fulfillment, API Gateway → lex_proxy, S3 → vectorizer.
INVOKED = ("fulfillment", "lex_proxy", "vectorizer")
# What no chat answer needs: started after "ready" (the S3 → vectorizer path indexes uploads, not chats).
AFTER_READY = ("vectorizer",)
# A Lambda environment ends often by design (timeouts: Lambda starts a new one at once); a crash loop still ends.
LAMBDA_RESTARTS = RestartPolicy(initial_delay=0.0, burst=30)


class RuntimeStartError(RuntimeError):
    """The runtime could not start for a reason it checks on purpose (a port taken, a stack it cannot run): the
    message is the one line `platform up` prints, and says what to do or where the log is."""


@dataclass
class Child:
    name: str
    port: int
    health_path: str
    log_path: Path
    command: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    replace_on_exit: bool = False  # a Lambda environment: a fresh one starts when it ends
    on_demand: bool = False  # another environment of a Lambda, started when every started one is busy
    log_group: str | None = None  # its output lines are events of this CloudWatch log group
    cwd: Path | None = None  # application code runs in an empty folder: no `.env` of the checkout reaches it
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


@dataclass
class Paths:
    root: Path

    @property
    def pid_file(self) -> Path:
        return self.root / "runtime.pid"

    @property
    def state_file(self) -> Path:
        return self.root / "runtime.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def tls(self) -> Path:
        return self.root / "tls"

    @property
    def error_file(self) -> Path:
        """Why the last start failed: the one line the detached runtime hands to the `platform up` that waits."""
        return self.root / "runtime.error"

    @property
    def log_file(self) -> Path:
        return self.logs / "runtime.log"


@dataclass
class LocalRuntime:
    settings: Settings
    progress: Progress = lambda _message: None
    children: list[Child] = field(default_factory=list)
    database_url: str = ""
    database_endpoint: str = ""
    s3: Any = None
    notifier: Any = None
    dms: Any = None
    aws: Any = None  # local.aws_environment.AwsEnvironment
    stand_ins: Any = None
    logs: Any = None  # local.cloudwatch_logs.LogGroups
    firehose: Any = None  # local.firehose.DeliveryStream
    tls_endpoint: Any = None
    cognito: Any = None  # local.cognito.LocalPool
    started_seconds: float = 0.0
    _secret_arn: str = ""
    _db_port: int = 0
    _stopping: bool = False
    supervisor: Supervisor = field(default_factory=Supervisor)
    threads: Threads | None = None  # moto, the notifier, DMS, Firehose: threads of this process, supervised too
    _postgres_listen: tuple[str, int, str] = ("", 0, "")  # where it listened (host, port, socket dir)
    _next_database_check: float = 0.0
    _started_at: str = ""
    _known_objects: dict[str, str] = field(default_factory=dict)
    _after_ready: threading.Thread | None = None
    _after_ready_done: threading.Event = field(default_factory=threading.Event)
    _after_ready_watched: bool = False
    _dms_loaded_logged: bool = False
    _http: httpx.Client | None = None  # the health checks' client (`_health_http`)
    _clients: dict[str, Any] = field(default_factory=dict)  # boto3 clients of the stand-ins by service (`_client`)
    _scale_out: list[Child] = field(default_factory=list)  # the vectorizer's environments after its first
    _children_changed: threading.Event = field(default_factory=threading.Event)  # one started on demand

    @property
    def paths(self) -> Paths:
        return Paths(self.settings.data_dir.resolve())

    # start -------------------------------------------------------------------------------------------------
    def start(self) -> dict[str, Any]:
        from campusbot.local.terraform_eval import use_parse_cache

        began = time.perf_counter()
        self.paths.logs.mkdir(parents=True, exist_ok=True)
        self._preflight()
        # What the schema's preparation imports (SQLAlchemy, asyncpg, Alembic's check, the store) loads while this
        # thread waits for PostgreSQL and moto; the stacks' parse trees are read back from the data dir's cache.
        threading.Thread(target=_import_ahead, name="import-ahead", daemon=True).start()
        use_parse_cache(self.paths.root / "cache" / "hcl")
        # The API and the emulator need nothing of what follows to import their code and (the emulator) load its
        # intent recognizer: they start now and get their command line and environment once these are derived.
        emulator, api = self._spawn_ahead()
        # PostgreSQL (mostly waiting for its processes) and moto with the user pool (Python work) do not depend on
        # each other: they start side by side; the secret needs both.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="start-aws") as pool:
            aws = pool.submit(self._start_aws_stand_ins)
            try:
                self._start_database()
            except BaseException:
                concurrent.futures.wait([aws])  # what it started is stopped with the rest; the first error is told
                raise
            aws.result()
        self._create_database_secret()
        self._derive_environment()
        # The emulator trains its intent model for a while and needs nothing but the ports of what it calls:
        # it starts first, and everything else gets ready meanwhile.
        missing = sorted(set(INVOKED) - set(self.aws.functions))
        if missing:
            raise RuntimeStartError(f"the stacks define no Lambda {', '.join(missing)}: nothing to invoke it with")
        lambdas = [self._lambda_child(key) for key in self.aws.functions]
        self._scale_out = [self._lambda_child("vectorizer", number) for number in range(2, self._vectorizers() + 1)]
        self._hand_over(emulator, self._stand_in_command("emulator", "fulfillment"), self._stand_in_env())
        self._hand_over(api, self._api_command(), self._container_env("api"))
        gateway_command = self._stand_in_command("gateway", "lex_proxy")
        gateway = self._child("gateway", self.settings.gateway_port, gateway_command, self._stand_in_env())
        # Nothing else needs the schema to start either: the Lambda environments and the API start (import, build
        # their app; the API connects on its first request) while the database is migrated, and nothing calls them
        # before the runtime is ready. Log lines are CloudWatch events from the first one on.
        self._start_log_delivery()
        first = [c for c in lambdas if c.name.removeprefix("lambda-") not in AFTER_READY]
        for child in [gateway, *first]:
            self._spawn(child)
        self._prepare_schema()
        for child in [api, *first, gateway, emulator]:
            self._wait_healthy(child)
        self._read_slot_values(emulator)
        self.started_seconds = time.perf_counter() - began
        self.progress(f"runtime ready in {self.started_seconds:.1f} s")
        for child in self.children:
            self.supervisor.watch(child.name, LAMBDA_RESTARTS if child.replace_on_exit else None)
        self.supervisor.watch("postgres")
        self._watch_threads()
        self._started_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        state = self._save_state()
        self.paths.pid_file.write_text(str(os.getpid()))
        # Then what no answer waits for: the vectorizer's environment, the notifier, the DMS full load (the lake).
        self._after_ready = threading.Thread(
            target=self._start_after_ready, args=([c for c in lambdas if c not in first],), name="after-ready",
            daemon=True,
        )  # fmt: skip
        self._after_ready.start()
        return state

    def _read_slot_values(self, emulator: Child) -> None:
        """The database is seeded and the API answers: the emulator reads the UniversityName values now, in the
        background (as Lex's build reads them before any turn), rather than in the first turn. A refusal only
        leaves that read to the first turn, as before."""
        import logging

        try:
            self._health_http().post(f"{emulator.url}{READ_NAMES_PATH}", timeout=5).raise_for_status()
        except httpx.HTTPError as exc:
            logging.getLogger(__name__).warning("the emulator did not start reading the slot values: %s", exc)

    def _start_after_ready(self, children: list[Child]) -> None:
        import logging

        try:
            _lower_priority()  # the first chats get the cores first; what this thread spawns and starts inherits it
            if self._stopping:
                return
            for child in children:
                self._spawn(child)
            for child in children:
                self._wait_healthy(child)
            self._start_notifier()
            # last: the full load holds this process's GIL for a while, and the first chats' database traffic
            # (the TLS endpoint) and secret (moto) go through this process
            self._start_dms()
        except Exception as exc:  # the runtime answers chats; say what is missing, with the traceback in the log
            if self._stopping:  # `platform down` before the after-ready start was over: nothing failed
                return
            logging.getLogger(__name__).exception("after ready")
            self.progress(f"after ready: {exc}")
        finally:
            self._after_ready_done.set()

    def _watch_threads(self) -> None:
        threads = self.threads = Threads(self.supervisor).install()
        if self.s3 is not None and self.s3.thread is not None:  # moto; LocalStack runs outside the runtime
            threads.watch("s3", lambda: self.s3.thread, self.s3.restart)
        if self.firehose is not None:
            threads.watch("firehose", lambda: self.firehose.thread, self.firehose.start)
        self._watch_late_threads()

    def _watch_late_threads(self) -> None:
        """The notifier and DMS, once they exist (they start after "ready")."""
        if self.threads is None:
            return
        if self.notifier is not None and "notifier" not in self.threads.watched:
            self.threads.watch("notifier", lambda: self.notifier.thread, self.notifier.start)
        if self.dms is not None and "dms" not in self.threads.watched:
            self.threads.watch("dms", lambda: self.dms.thread, self.dms.resume)

    def _watch_after_ready(self) -> bool:
        """Once the after-ready start is over (the main loop's thread): supervise the notifier and DMS too, and
        log the end of the DMS full load. True when something changed (the state file is written again)."""
        changed = False
        if self._after_ready_done.is_set() and not self._after_ready_watched:
            self._after_ready_watched = changed = True
            self._watch_late_threads()
        if self.dms is not None and self.dms.loaded and not self._dms_loaded_logged:
            self._dms_loaded_logged = changed = True
            self.progress(f"dms: full load done ({len(self.dms.tables)} tables)")
        return changed

    def _save_state(self) -> dict[str, Any]:
        """Write the state file whole: written beside it, then renamed over it, so a reader (`platform status`, a
        test) never reads it half written (which `read_state` would take for a runtime that is not running)."""
        state = self.state()
        write_atomically(self.paths.state_file, json.dumps(state, indent=2))
        return state

    def state(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "started_at": self._started_at or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "start_seconds": round(self.started_seconds, 1),
            "env": self.aws.env if self.aws is not None else None,
            "endpoints": {
                "chat": f"http://{HOST}:{self.settings.gateway_port}/chat",
                "web chat": f"http://{HOST}:{self.settings.gateway_port}/",
                "api": f"http://{HOST}:{self.settings.api_port}",
                "aws emulator (Lex, Bedrock)": f"http://{HOST}:{self.settings.emulator_port}",
                f"s3, secrets manager ({self.s3.provider if self.s3 else '?'})": self.s3.url if self.s3 else "",
                "postgres (TLS, as RDS)": self.database_endpoint,
                "postgres (unix socket)": self.database_url.split("@", 1)[-1],
            },
            "children": {
                c.name: {"pid": c.process.pid if c.process else None, "url": c.url, "health": c.health_path}
                for c in self._shown_children()
            },
            "supervision": self.supervisor.snapshot(),  # restarts and last exit reason of each component
            "threads": {
                name: {"alive": bool((thread := watched.thread()) and thread.is_alive())}
                for name, watched in (self.threads.watched.items() if self.threads is not None else [])
            },
            "buckets": [self.settings.docs_bucket, self.settings.lake_bucket],
            # started after "ready": the vectorizer's environment, the notifier, the DMS full load into the lake
            "after_ready": {
                "done": self._after_ready_done.is_set(),
                "dms_full_load": "done" if self.dms is not None and self.dms.loaded else "pending",
            },
            # what a client signs in against (the CLI's `users add` / `chat --as`, a web client)
            "cognito": {
                "user_pool_id": self.cognito.pool_id,
                "client_id": self.cognito.client_id,
                "endpoint": self.s3.url,
                "issuer": self.cognito.issuer,
                "region": self.cognito.region,
            }
            if self.cognito is not None and self.s3 is not None
            else None,
            "logs": str(self.paths.logs),
            # what each Lambda and the API run with: Terraform's environment, stand-ins, the runtime's wiring
            "environments": {
                c.name: c.env for c in self._shown_children() if c.log_group is not None or c.name == "api"
            },
        }

    def _shown_children(self) -> list[Child]:
        """Every child but the environments a scale-out has not needed yet."""
        return [c for c in self.children if not c.on_demand or c.process is not None]

    def _preflight(self) -> None:
        from campusbot.local.s3 import localstack_answers, port_in_use

        if self.settings.database_url is not None:
            raise RuntimeStartError(
                "platform up runs its own PostgreSQL, the stand-in for RDS (TLS endpoint, rotating secret): unset "
                "CAMPUSBOT_DATABASE_URL (the API and the CLI still use it outside the runtime)"
            )
        for name, port in [
            ("API", self.settings.api_port),
            ("AWS emulator", self.settings.emulator_port),
            ("gateway", self.settings.gateway_port),
        ]:
            if port_in_use(HOST, port):
                raise RuntimeStartError(
                    f"port {port} ({name}) is in use: is the runtime already up (`platform status`)?"
                )
        s3 = self.settings.s3_port  # taken is fine when LocalStack answers there (start_s3 uses it)
        if port_in_use(HOST, s3) and not localstack_answers(f"http://{HOST}:{s3}"):
            raise RuntimeStartError(
                f"port {s3} (S3, Secrets Manager, Cognito) is taken by something that is not LocalStack: "
                "free it or set CAMPUSBOT_S3_PORT"
            )

    def _start_database(self) -> None:
        from campusbot.local import postgres
        from campusbot.local.pg_tls import TlsEndpoint
        from campusbot.local.tls import ensure_local_ca

        self.progress("database: starting embedded PostgreSQL")
        postgres.start(self.settings.pg_dir, self.settings.embedded_db_name, listen_avoid=self._configured_ports())
        postgres.supervise(self.settings.pg_dir)  # other processes join it from now on, and never start it
        tcp = postgres.serve_tcp(self.settings.pg_dir, self.settings.embedded_db_name, self._configured_ports())
        self.database_url = tcp.url
        self._postgres_listen = (tcp.host, tcp.port, str(postgres.status(self.settings.pg_dir).get("socket_dir")))
        certificates = ensure_local_ca(self.paths.tls)
        self.tls_endpoint = TlsEndpoint(tcp.host, tcp.port, certificates).start()
        self._db_port = self.tls_endpoint.port
        self.database_endpoint = f"{certificates.server_name}:{self._db_port}"

    def _start_aws_stand_ins(self) -> None:
        self._start_s3()
        self._create_user_pool()

    def _start_s3(self) -> None:
        from campusbot.local.s3 import PortTakenError, ensure_buckets, start_s3

        try:
            self.s3 = start_s3(HOST, self.settings.s3_port)
        except PortTakenError as exc:
            raise RuntimeStartError(str(exc)) from exc
        ensure_buckets(self._client("s3"), self.settings.docs_bucket, self.settings.lake_bucket)
        self.progress(f"s3: {self.s3.provider} on {self.s3.url}, buckets ready")

    def _client(self, service: str) -> Any:
        """One client per service for the runtime's own calls: the stand-ins (the notifier and its workers, DMS,
        Firehose) share them. Each creation costs 0.1-0.2 s of CPU under the GIL (the S3 client most), which the
        first chats after ready used to wait behind; boto3 clients are thread-safe."""
        client = self._clients.get(service)
        if client is None:
            import boto3
            from botocore.config import Config

            client = self._clients[service] = boto3.client(  # type: ignore[call-overload]
                service, endpoint_url=self.s3.url, region_name=self.settings.region,
                aws_access_key_id=_fake("AWS_ACCESS_KEY_ID"), aws_secret_access_key=_fake("AWS_SECRET_ACCESS_KEY"),
                config=Config(max_pool_connections=SHARED_CLIENT_CONNECTIONS),
            )  # fmt: skip
        return client

    def _create_database_secret(self) -> None:
        """The RDS-managed master secret's stand-in: a new password at every start (a rotation), set on the server
        and in the local Secrets Manager; the components read it through CAMPUSBOT_DB_SECRET_ARN."""
        from campusbot.local import postgres

        password = secrets.token_urlsafe(24)
        postgres.set_password(self.settings.pg_dir, password)
        value = json.dumps({"username": "postgres", "password": password})
        client = self._client("secretsmanager")
        try:
            self._secret_arn = client.create_secret(Name=SECRET_NAME, SecretString=value)["ARN"]
        except client.exceptions.ResourceExistsException:  # LocalStack keeps it across restarts
            self._secret_arn = client.put_secret_value(SecretId=SECRET_NAME, SecretString=value)["ARN"]
        self.progress(f"database: TLS endpoint {self.database_endpoint}, password rotated in {SECRET_NAME}")

    def _create_user_pool(self) -> None:
        """The students' user pool (terraform/modules/cognito, as the conversation stack configures it) in moto."""
        from campusbot.local.aws_environment import terraform_root
        from campusbot.local.cognito import PoolDerivationError, ensure_pool, pool_settings

        try:
            settings = pool_settings(terraform_root(), self.settings.env)
        except PoolDerivationError as exc:
            raise RuntimeStartError(f"the user pool of the stacks cannot be created locally: {exc}") from exc
        self.cognito = ensure_pool(self._client("cognito-idp"), settings, self.settings.region)
        self.progress(f"cognito: pool {self.cognito.pool_id}, app client {self.cognito.client_id} ({settings.name})")

    def _derive_environment(self) -> None:
        from campusbot.bot.cloudformation import load_bot
        from campusbot.local.aws_environment import EnvironmentDerivationError, LocalValues, StandIns, derive

        values = LocalValues(
            docs_bucket=self.settings.docs_bucket,
            lake_bucket=self.settings.lake_bucket,
            db_host=self.tls_endpoint.certificates.server_name,
            db_port=self._db_port,
            db_name=self.settings.embedded_db_name,
            db_secret_arn=self._secret_arn,
            db_ca_bundle=str(self.tls_endpoint.certificates.ca_cert),
            api_address=f"{HOST}:{self.settings.api_port}",
            bot_id=self.settings.bot_id,
            bot_alias_id=self.settings.bot_alias_id,
            locale_id=load_bot().locale.id,  # the deployed template's locale
            region=self.settings.region,
            cognito_pool_id=self.cognito.pool_id,
            cognito_client_id=self.cognito.client_id,
            web_origin=f"http://{HOST}:{self.settings.gateway_port}",
        )
        secretsmanager = self._client("secretsmanager")
        self.stand_ins = StandIns(
            values, secret_value=lambda arn: str(secretsmanager.get_secret_value(SecretId=arn)["SecretString"])
        )
        try:
            self.aws = derive(self.stand_ins, env=self.settings.env)
        except EnvironmentDerivationError as exc:
            raise RuntimeStartError(f"the environment of the stacks cannot run locally: {exc}") from exc
        names = ", ".join([*self.aws.functions, *self.aws.containers])
        self.progress(f"environment: {names} configured from terraform/stacks ({self.aws.env})")

    def _prepare_schema(self) -> None:
        """Migrate (a no-op at head: one query), align the vector size, seed an empty database and read the index's
        baseline for the notifier: one engine, one event loop."""
        from campusbot.local.vectors import DimensionMigrationError

        dimensions = Settings.from_environment(self._container_env("api")).embedding_dimensions
        try:
            prepared = asyncio.run(_prepare_database(self.settings, self.database_url, dimensions))
        except DimensionMigrationError as exc:
            raise RuntimeStartError(str(exc)) from exc
        if prepared.dimension_change is not None:
            self.progress(f"database: {prepared.dimension_change.describe()}")
        self._known_objects = prepared.known_objects
        migrated = "migrated" if prepared.migrated else "at head"
        self.progress(f"database: {migrated}" + (", seeded (first start)" if prepared.seeded else ", data kept"))

    def _start_log_delivery(self) -> None:
        from campusbot.local.cloudwatch_logs import LogGroups, SubscriptionFilter
        from campusbot.local.filter_pattern import FilterPattern
        from campusbot.local.firehose import DeliveryStream

        self.logs = LogGroups()
        delivery = self.aws.chat_events
        if delivery is None:
            return
        self.firehose = DeliveryStream(
            delivery, self._client("s3"), interval_seconds=self.settings.firehose_interval_seconds
        ).start()
        pattern = FilterPattern(delivery.filter_pattern)
        for group in delivery.source_log_groups:
            self.logs.subscribe(SubscriptionFilter(delivery.stream_name, group, pattern, self.firehose.put_record))
        self.progress(
            f"chat events: {', '.join(delivery.source_log_groups)} → subscription filter → {delivery.stream_name} "
            f"→ s3://{delivery.bucket}/{delivery.prefix} (buffered {self.firehose.interval:g} s)"
        )

    # children ----------------------------------------------------------------------------------------------
    def _child(self, name: str, port: int, command: list[str], env: dict[str, str], **extra: Any) -> Child:
        child = Child(name, port, extra.pop("health_path", HEALTH_PATH if name != "api" else "/healthz"),
                      self.paths.logs / f"{name}.log", command, env, **extra)  # fmt: skip
        self.children.append(child)
        return child

    def _spawn_ahead(self) -> tuple[Child, Child]:
        """The emulator and the API, started before their wiring exists (`serve --await-wiring`): they import and
        prepare, then wait on stdin for what `_hand_over` sends; neither listens before. A restart later runs the
        full command with the full environment, as any child's."""
        emulator = self._child(
            "emulator", self.settings.emulator_port, [*self._serve("emulator", self.settings.emulator_port),
            "--await-wiring"], self._stand_in_env(),
        )  # fmt: skip
        api = self._child(
            "api", self.settings.api_port, [*self._serve("api", self.settings.api_port), "--await-wiring"],
            {**self._process_base(), **self._wiring()}, cwd=self._workdir(),
        )  # fmt: skip
        for child in (emulator, api):
            self._spawn(child, ahead=True)
        return emulator, api

    def _hand_over(self, child: Child, command: list[str], env: dict[str, str]) -> None:
        """Give a child started ahead (`_spawn_ahead`) the command line and environment it would have been started
        with: they become its own, and its command and environment for any restart."""
        child.command, child.env = command, env
        assert child.process is not None and child.process.stdin is not None
        serve = self._serve(child.name, child.port)
        assert command[: len(serve)] == serve, command  # the same component, as `python -m campusbot.local.serve`
        wiring = json.dumps({"argv": command[len(serve) - 3 :], "env": env})  # what follows `-m <module>`
        try:
            child.process.stdin.write(wiring.encode() + b"\n")
            child.process.stdin.close()
        except OSError:  # it ended while preparing: `_wait_healthy` says so, with its log's last line
            pass

    @staticmethod
    def _serve(component: str, port: int) -> list[str]:
        return [sys.executable, "-m", "campusbot.local.serve", component, "--port", str(port)]

    def _api_command(self) -> list[str]:
        return self._serve("api", self.settings.api_port)

    def _stand_in_command(self, component: str, function: str) -> list[str]:
        lambda_child = next(c for c in self.children if c.name == f"lambda-{function}")
        spec = self.aws.functions[function]
        port = self.settings.emulator_port if component == "emulator" else self.settings.gateway_port
        command = [
            *self._serve(component, port),
            "--function-url", lambda_child.url, "--function-name", spec.function_name,
            "--function-timeout", str(spec.timeout), "--api-url", f"http://{HOST}:{self.settings.api_port}",
        ]  # fmt: skip
        authorizer = next((c for c in self.children if c.name == "lambda-authorizer"), None)
        if component == "gateway" and authorizer is not None:  # POST /chat's authorizer (conversation stack)
            command += [
                "--authorizer-url", authorizer.url, "--authorizer-name", self.aws.functions["authorizer"].function_name,
                "--cors-allow-origin", spec.environment.get("CAMPUSBOT_CORS_ALLOW_ORIGIN", "*"),
            ]  # fmt: skip
        if component == "gateway" and self.cognito is not None and self.s3 is not None:  # the web chat's sign-in
            command += [
                "--cognito-url", self.s3.url, "--cognito-pool-id", self.cognito.pool_id,
                "--cognito-client-id", self.cognito.client_id,
            ]  # fmt: skip
        return command

    def _lambda_child(self, key: str, number: int = 1) -> Child:
        """Execution environment `number` of the Lambda `key` (the first is `lambda-<key>`, the next ones, started
        on demand, `lambda-<key>-<number>`): its own process and port, the same function and log group."""
        from campusbot.local.ports import free_port

        spec = self.aws.functions[key]
        port = free_port(HOST, avoid=self._configured_ports()) if number == 1 else 0  # else chosen as it starts
        name = f"lambda-{key}" if number == 1 else f"lambda-{key}-{number}"
        return self._child(name, port, _lambda_command(port), self._lambda_env(key), replace_on_exit=True,
                           log_group=spec.log_group, cwd=self._workdir(), on_demand=number > 1)  # fmt: skip

    def _vectorizers(self) -> int:
        """Environments the vectorizer scales out to: the setting, capped by a reserved concurrency the stacks
        give it (none in dev: -1)."""
        reserved = self.aws.functions["vectorizer"].reserved_concurrency
        limit = self.settings.local_vectorizer_environments
        return min(limit, reserved) if reserved > 0 else limit

    def _start_on_demand(self, child: Child) -> None:
        """A cold start: the environment's process on a port free now, once it answers (the invocation waiting
        for it follows)."""
        from campusbot.local.ports import free_port

        if self._stopping:
            raise RuntimeError(f"{child.name}: the runtime is stopping")
        child.port = free_port(HOST, avoid=self._configured_ports() | {c.port for c in self.children if c.process})
        child.command = _lambda_command(child.port)
        self._spawn(child)
        try:
            self._wait_healthy(child)
        except BaseException:  # unstarted again: the next invocation that needs it starts a fresh process
            _terminate(child)
            child.process = None
            raise
        self._children_changed.set()

    def _configured_ports(self) -> set[int]:
        """The ports the settings give the API, the emulator, the gateway and S3: components that may bind after a
        free port is chosen for another one."""
        s = self.settings
        return {s.api_port, s.emulator_port, s.gateway_port, s.s3_port}

    def _workdir(self) -> Path:
        """An empty folder (Lambda's /var/task, the image's /app hold no `.env`: neither must the local cwd)."""
        folder = self.paths.root / "run"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _wiring(self) -> dict[str, str]:
        """What every component gets besides its Terraform environment: the stand-ins' endpoints, credentials the
        stand-ins accept (never someone's real ones), no shared AWS config, offline model loading."""
        emulator = f"http://{HOST}:{self.settings.emulator_port}"
        s3 = f"http://{HOST}:{self.settings.s3_port}"  # moto or LocalStack (`start_s3`): known before either runs
        return {
            "AWS_ENDPOINT_URL_S3": s3,
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": s3,
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": s3,
            "AWS_ENDPOINT_URL_LEX_RUNTIME_V2": emulator,
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": emulator,
            "AWS_ACCESS_KEY_ID": _fake("AWS_ACCESS_KEY_ID"),
            "AWS_SECRET_ACCESS_KEY": _fake("AWS_SECRET_ACCESS_KEY"),
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_DEFAULT_REGION": self.settings.region,
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "PYTHONUNBUFFERED": "1",
        }

    def _process_base(self) -> dict[str, str]:
        """The bare process environment (no CAMPUSBOT_* or AWS_* of the shell that ran `platform up`). PYTHONPATH
        stays: the API and the Lambda environments import the campusbot the supervisor imports (a checkout run with
        PYTHONPATH, or a worktree next to a venv installed from another one), not the one the venv finds without it."""
        keep = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
        return {name: os.environ[name] for name in keep if name in os.environ}

    def _container_env(self, key: str) -> dict[str, str]:
        return {**self._process_base(), **self._wiring(), **self.aws.process_environment(key)}

    def _lambda_env(self, key: str) -> dict[str, str]:
        spec = self.aws.functions[key]
        runtime = {
            "_HANDLER": spec.handler,
            "AWS_REGION": self.settings.region,
            "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(spec.timeout),
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}",
            "AWS_LAMBDA_LOG_FORMAT": spec.log_format,
            "AWS_LAMBDA_LOG_LEVEL": spec.log_level,
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
            "TZ": ":UTC",
        }
        return {**self._process_base(), **self._wiring(), **runtime, **self.aws.process_environment(key)}

    def _stand_in_env(self) -> dict[str, str]:
        """The AWS stand-ins (emulator, gateway) are not application code: the user's environment and settings."""
        return {**os.environ, **self._wiring(), "CAMPUSBOT_DATA_DIR": str(self.settings.data_dir.resolve())}

    def _spawn(self, child: Child, *, ahead: bool = False) -> None:
        """Start the child's process; `ahead`: with a pipe on stdin for its wiring (`_spawn_ahead`)."""
        if child.starts == 0:
            self.progress(f"{child.name}: starting on {child.url}" + (" (its wiring follows)" if ahead else ""))
        child.starts += 1
        if child.log_group is None:
            with child.log_path.open("ab") as log:
                child.process = subprocess.Popen(
                    child.command, env=child.env, cwd=child.cwd, stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.PIPE if ahead else subprocess.DEVNULL,
                )  # fmt: skip
            return
        if child.replace_on_exit:  # a new execution environment, a new log stream
            child.env["AWS_LAMBDA_LOG_STREAM_NAME"] = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
        child.process = subprocess.Popen(
            child.command, env=child.env, cwd=child.cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert child.process.stdout is not None
        threading.Thread(
            target=self._read_log, args=(child, child.process.stdout), name=f"logs-{child.name}", daemon=True
        ).start()

    def _read_log(self, child: Child, stream: IO[bytes]) -> None:
        """The environment's output: one CloudWatch log event per line (the log file keeps them too)."""
        group, log_stream = child.log_group or child.name, child.env.get("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        with child.log_path.open("ab") as log:
            for raw in stream:
                log.write(raw)
                log.flush()
                if self.logs is not None:
                    self.logs.put(group, log_stream, raw.decode("utf-8", "replace").rstrip("\n"))

    def _wait_healthy(self, child: Child, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        assert child.process is not None
        while time.monotonic() < deadline and not self._stopping:
            if (code := child.process.poll()) is not None:
                raise RuntimeStartError(
                    f"{child.name} exited while starting ({describe_exit(code)}): {_last_line(child.log_path)} "
                    f"(its log: {child.log_path})"
                )
            try:
                if self._health_http().get(child.url + child.health_path).status_code == 200:
                    self.progress(f"{child.name}: ready")
                    return
            except httpx.HTTPError:
                time.sleep(0.05)  # a refused connection costs little: a child is seen ready within 50 ms
        raise RuntimeStartError(
            f"{child.name} did not answer {child.health_path} in {timeout:.0f} s (its log: {child.log_path})"
        )

    def _health_http(self) -> httpx.Client:
        """One client for every health check, without a CA bundle: the checks are plain HTTP on loopback, and
        parsing the bundle (40-80 ms of CPU; `httpx.get` does it at each call) sat on the start's path."""
        if self._http is None:
            self._http = httpx.Client(timeout=1, verify=False, trust_env=False)  # loopback HTTP only
        return self._http

    def _start_notifier(self) -> None:
        from campusbot.local.lambda_invoke import LambdaInvoker
        from campusbot.local.lambda_scaling import Environments
        from campusbot.local.notifier import S3Notifier
        from campusbot.local.s3 import BucketMirror

        s3 = self._client("s3")
        bucket = self.settings.docs_bucket
        # moto forgets objects on restart: keep the docs bucket on disk (LocalStack persists by itself)
        mirror = BucketMirror(s3, bucket, self.paths.root / "s3") if self.s3.provider == "moto" else None
        if mirror is not None:
            self.progress(f"s3: {mirror.restore()} document(s) restored into s3://{bucket}")
        spec = self.aws.functions["vectorizer"]
        first = next(c for c in self.children if c.name == "lambda-vectorizer")

        def start_environment(index: int) -> LambdaInvoker:
            environment = self._scale_out[index - 1]
            self._start_on_demand(environment)
            return LambdaInvoker(environment.url, spec.function_name, spec.timeout)

        vectorizer = Environments(
            LambdaInvoker(first.url, spec.function_name, spec.timeout), start_environment, 1 + len(self._scale_out)
        )

        def deliver(event: dict[str, Any]) -> Any:
            if mirror is not None:
                mirror.apply(event)
            return vectorizer(event)

        baseline = self._known_objects
        self.notifier = S3Notifier(
            s3,
            bucket,
            deliver,
            region=self.settings.region,
            baseline=baseline,
            interval=self.settings.notifier_interval_seconds,
            max_attempts=4,  # the vectorizer fails the invocation while the database is down: retried after 5,
            retry_delay=5.0,  # 10, 20 s, so a database restart loses no upload (AWS retries async invokes twice)
            concurrency=vectorizer.size,  # uploads arrive together: as many invocations at once as environments
            writes=self.s3.writes.watch(bucket) if self.s3.writes is not None else None,  # moto's: list on a write
        ).start()
        self.progress(f"notifier: s3://{bucket} → {spec.function_name} ({len(baseline)} documents indexed; "
                      f"up to {vectorizer.size} environments at once)")  # fmt: skip

    def _start_dms(self) -> None:
        from campusbot.analytics import layout
        from campusbot.local.dms import LocalDms

        dms = layout.load().dms
        self.dms = LocalDms(
            self.database_url,
            self._client("s3"),
            self.settings.lake_bucket,
            dms,
            interval=self.settings.dms_interval_seconds,
        )
        self.dms.start(background=True)
        target = f"s3://{self.settings.lake_bucket}/{dms.folder}/"
        self.progress(f"dms: → {target} (full load in the background, then changes)")

    # run and stop --------------------------------------------------------------------------------------------
    def wait(self) -> int:
        """Block until a signal (returns 0) or until a component dies too often to go on (returns 1). A component
        that dies is started again after a backoff (`local.supervisor`); a Lambda environment that ends (a timeout,
        a crash) is replaced at once, as Lambda starts a new one."""
        stop = {"signal": False}

        def on_signal(_signum: int, _frame: object) -> None:
            stop["signal"] = True

        previous = signal.signal(signal.SIGTERM, on_signal)
        failed_rounds = 0
        try:
            while not stop["signal"]:
                try:
                    self._supervise()
                    failed_rounds = 0
                except GiveUp as exc:
                    self.progress(f"giving up, the runtime stops: {exc}")
                    return 1
                except Exception:  # one round that fails (a file read at the wrong moment) must not end the
                    failed_rounds += 1  # supervisor, whose TLS endpoint and stand-ins every component uses
                    if failed_rounds == 1 or failed_rounds % 50 == 0:
                        logging.getLogger(__name__).exception("a supervision round failed (%d in a row)", failed_rounds)
                    if failed_rounds >= SUPERVISION_FAILURES:
                        self.progress(f"giving up, the runtime stops: {failed_rounds} supervision rounds failed in a "
                                      f"row (the log {self.paths.log_file} has the first error)")  # fmt: skip
                        return 1
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
        return 0

    def _supervise(self) -> None:
        """One round: each child and the database that died is recorded and, once its backoff is over, started
        again on the same port (dependants reconnect by themselves); `GiveUp` on a crash loop."""
        if self._stopping:
            return
        changed = False
        for child in self.children:
            code = child.process.poll() if child.process is not None else None
            if code is None:
                continue
            if not self.supervisor.watch(child.name).pending:
                delay = self.supervisor.died(child.name, describe_exit(code))
                tail = "" if child.replace_on_exit else f"\n{_tail(child.log_path, 10)}"
                self.progress(f"{child.name}: exited ({describe_exit(code)}); starting again in {delay:.1f} s{tail}")
            if self.supervisor.due(child.name):
                self._spawn(child)
                self.supervisor.started(child.name)
                changed = True
        changed = self._supervise_database() or changed
        changed = self._watch_after_ready() or changed
        if self._children_changed.is_set():  # an environment started on demand (a scale-out)
            self._children_changed.clear()
            changed = True
        for event in self.threads.check() if self.threads is not None else []:
            self.progress(event)
            changed = True
        if changed:
            self._save_state()

    def _supervise_database(self) -> bool:
        from campusbot.local import postgres

        now = time.monotonic()
        if now < self._next_database_check or not self._postgres_listen[1]:
            return False
        self._next_database_check = now + 1.0
        if not self.supervisor.watch("postgres").pending:
            if postgres.is_running(self.settings.pg_dir):
                return False
            delay = self.supervisor.died("postgres", "the postmaster ended")
            self.progress(f"postgres: the postmaster ended; starting again in {delay:.1f} s")
        if not self.supervisor.due("postgres"):
            return False
        try:
            postgres.restart(self.settings.pg_dir, *self._postgres_listen)
        except postgres.EmbeddedPostgresError as exc:
            self.supervisor.died("postgres", "did not start again")
            self.progress(str(exc))
            return True
        self.supervisor.started("postgres")
        self.progress("postgres: running again")
        return True

    def stop(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        if self._after_ready is not None:
            self._after_ready.join(timeout=30)
        if self.threads is not None:
            self.threads.uninstall()
        if self.notifier is not None:
            self.notifier.stop()
        if self.dms is not None:
            self.dms.stop()
        # every child is asked at once, then awaited in turn: each one's shutdown overlaps the others'
        running = [child for child in reversed(self.children) if child.process is not None]  # None: never needed
        for child in running:
            _ask_to_stop(child)
        for child in running:
            _await_stopped(child)
            self.progress(f"{child.name}: stopped")
        if self.firehose is not None:
            self.firehose.stop()
        if self.tls_endpoint is not None:
            self.tls_endpoint.stop()
        from campusbot.local import postgres

        postgres.unsupervise(self.settings.pg_dir)  # kept by no one now: the next process that needs it starts it
        if self.s3 is not None:
            self.s3.stop()
        if self._http is not None:
            self._http.close()
        for path in (self.paths.state_file, self.paths.pid_file):
            path.unlink(missing_ok=True)
        self.progress("runtime stopped")


@dataclass
class PreparedDatabase:
    migrated: bool  # False: already at head, nothing ran
    dimension_change: Any  # local.vectors.DimensionChange | None
    seeded: bool
    known_objects: dict[str, str]  # {key: etag} the index holds for the docs bucket: the notifier's baseline


async def _prepare_database(settings: Settings, url: str, dimensions: int) -> PreparedDatabase:
    from sqlalchemy import text

    from campusbot.bootstrap import build_database
    from campusbot.db import migrate
    from campusbot.knowledge.store import known_etags
    from campusbot.local.vectors import align_dimensions

    database = build_database(settings, url)
    try:
        migrated = await migrate.upgrade_engine(database.engine, url, embedding_dimensions=dimensions)
        async with database.engine.begin() as conn:
            change = await align_dimensions(conn, dimensions)
        async with database.engine.connect() as conn:
            empty = not await conn.scalar(text("SELECT EXISTS (SELECT 1 FROM university)"))
        if empty:
            from campusbot.db.seed.data import build_seed  # the generator: imported only when there is nothing yet
            from campusbot.db.seed.load import load

            await load(database.engine, build_seed(settings.seed_random))
        async with database.sessions() as session:
            known = await known_etags(session, settings.docs_bucket)
        return PreparedDatabase(migrated, change, empty, known)
    finally:
        await database.dispose()


def _lambda_command(port: int) -> list[str]:
    """A Lambda execution environment's process (`local.lambda_worker`) listening on `port`."""
    return [sys.executable, "-m", "campusbot.local.lambda_worker", "--port", str(port)]


def _terminate(child: Child, timeout: float = 15) -> None:
    _ask_to_stop(child)
    _await_stopped(child, timeout)


def _ask_to_stop(child: Child) -> None:
    process = child.process
    if process is None or process.poll() is not None:
        return
    if process.stdin is not None and not process.stdin.closed:
        # a child started ahead still waiting for its wiring ends on the closed pipe ("stdin closed before the
        # runtime handed over the wiring"): the signal alone can be lost there, when it lands in a gc callback
        # (`gc_pauses`), whose KeyboardInterrupt Python ignores, and a failed start then waited 15 s per child
        with contextlib.suppress(OSError):
            process.stdin.close()
    process.send_signal(signal.SIGINT if not child.replace_on_exit else signal.SIGTERM)


def _await_stopped(child: Child, timeout: float = 15) -> None:
    """Wait for a child asked to stop; killed after `timeout` seconds."""
    process = child.process
    if process is None:
        return
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _import_ahead() -> None:
    import importlib

    for module in ("sqlalchemy.ext.asyncio", "asyncpg", "campusbot.db.migrate", "campusbot.local.vectors",
                   "campusbot.bootstrap", "campusbot.knowledge.store", "hcl2.api"):  # fmt: skip
        with contextlib.suppress(ImportError):
            importlib.import_module(module)


def _lower_priority(increment: int = 10) -> None:
    """Lower the calling thread's scheduling priority (Linux: a thread is a task; its children inherit it)."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux: the after-ready start competes as before
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, 0) + increment)


def _fake(_name: str) -> str:
    """Local stand-ins accept any credentials; never send someone's real ones to them."""
    return "campusbot-local"


def _last_line(path: Path) -> str:
    lines = [line for line in _tail(path, 50).splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else "(no output)"


def _tail(path: Path, lines: int = 25) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# The detached runtime and its control files ---------------------------------------------------------------
def running_pid(settings: Settings) -> int | None:
    """The supervisor's pid when a runtime for this data dir is up, else None (stale files are removed)."""
    paths = Paths(settings.data_dir.resolve())
    try:
        pid = int(paths.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        paths.pid_file.unlink(missing_ok=True)
        paths.state_file.unlink(missing_ok=True)
        return None
    except PermissionError:
        pass
    return pid


def read_state(settings: Settings) -> dict[str, Any] | None:
    if running_pid(settings) is None:
        return None
    try:
        state: dict[str, Any] = json.loads(Paths(settings.data_dir.resolve()).state_file.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return state


def record_start_failure(settings: Settings, error: BaseException) -> str:
    """The one line `platform up` prints for a start that failed, kept in `runtime.error` for the `platform up` that
    waits on a detached runtime. An error the runtime raises on purpose (`RuntimeStartError`) is its message; any
    other keeps its traceback in the runtime's log, and the line says where."""
    import traceback

    paths = Paths(settings.data_dir.resolve())
    paths.logs.mkdir(parents=True, exist_ok=True)
    if isinstance(error, RuntimeStartError):
        message = str(error)
    else:
        with paths.log_file.open("a", encoding="utf-8") as log:
            log.write(f"the runtime failed to start at {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}:\n")
            traceback.print_exception(error, file=log)
        message = f"the runtime failed to start ({type(error).__name__}: {error}); the traceback is in {paths.log_file}"
    message = " ".join(message.split())  # one line
    paths.error_file.write_text(message, encoding="utf-8")
    return message


def start_detached(
    settings: Settings,
    timeout: float = 300,
    meanwhile: Callable[[], None] | None = None,
    run: Callable[[], int] | None = None,
) -> dict[str, Any]:
    """Start the supervisor in its own session, logging to a file, and wait until it reports ready; `meanwhile`
    runs once the supervisor was spawned (the CLI's own checks: not on the start's path). With `run` (the CLI's: the
    runtime in the calling process until it stops, its exit code), the supervisor is this process forked
    (`_fork_detached`), else a new interpreter running `platform up`."""
    paths = Paths(settings.data_dir.resolve())
    paths.logs.mkdir(parents=True, exist_ok=True)
    log_path = paths.log_file
    paths.error_file.unlink(missing_ok=True)
    process: Detached
    if run is not None and hasattr(os, "fork"):
        process = _fork_detached(log_path, run)
    else:
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "campusbot.cli.main", "up"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, "CAMPUSBOT_RUNTIME_DETACHED": "1"},
            )
    deadline = time.monotonic() + timeout
    if meanwhile is not None:
        meanwhile()
    while time.monotonic() < deadline:
        if (code := process.poll()) is not None:
            if paths.error_file.exists():  # what the runtime said (record_start_failure)
                raise RuntimeStartError(paths.error_file.read_text(encoding="utf-8").strip())
            raise RuntimeStartError(
                f"the runtime exited while starting ({describe_exit(code)}): {_last_line(log_path)} (log: {log_path})"
            )
        state = read_state(settings)
        if state is not None and state.get("pid") == process.pid:
            return state
        time.sleep(0.05)  # a small file read: `platform up` returns within 50 ms of ready, not up to 300
    process.terminate()
    raise RuntimeStartError(f"the runtime did not come up in {timeout:.0f} s (log: {log_path})")


class Detached(Protocol):
    """The detached supervisor's process, as `start_detached` watches it (subprocess.Popen's interface)."""

    @property
    def pid(self) -> int: ...

    def poll(self) -> int | None: ...

    def terminate(self) -> None: ...


@dataclass
class Forked:
    """A child forked by this process, watched as a Popen is: `poll` reaps it once it has ended."""

    pid: int
    returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            ended, status = os.waitpid(self.pid, os.WNOHANG)
            if ended:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def terminate(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)


def _fork_detached(log_path: Path, run: Callable[[], int]) -> Forked:
    """Fork this process into the detached supervisor: its own session, stdin /dev/null, stdout and stderr appended
    to the log, CAMPUSBOT_RUNTIME_DETACHED set, then `run()`. The child keeps what the CLI has imported and read
    (a new interpreter importing the CLI again was 0.3-0.4 s on a warm start's critical path) and never returns
    here: it exits with `run`'s code (SystemExit, so exit handlers run as in any process that ends). The CLI
    starts no thread before this, so the fork copies no lock a thread holds."""
    sys.stdout.flush()
    sys.stderr.flush()  # what the CLI printed is not printed again by the child
    pid = os.fork()
    if pid:
        return Forked(pid)
    code = 1
    try:
        os.setsid()
        log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        for source, stream in ((null, 0), (log, 1), (log, 2)):
            os.dup2(source, stream)
        os.close(log)
        os.close(null)
        os.environ["CAMPUSBOT_RUNTIME_DETACHED"] = "1"
        code = run()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # the child ends here whatever happened; the log gets the traceback
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    raise SystemExit(code)


def stop_detached(settings: Settings, timeout: float = 60) -> bool:
    """SIGTERM the supervisor and wait until its process has ended (its database stopped with it);
    False when nothing was running."""
    import psutil

    pid = running_pid(settings)
    if pid is None:
        return False
    try:
        process = psutil.Process(pid)
        process.terminate()
    except psutil.NoSuchProcess:
        return True
    if not has_ended(process, timeout):
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    return True


def has_ended(process: psutil.Process, timeout: float) -> bool:
    """Whether `process` ends within `timeout` seconds: gone, or a zombie. A zombie has exited (its database stopped
    before); reaping it is its parent's business, and a detached supervisor's parent is the machine's init, which
    can be slow at it (about 2 s on these machines, which `psutil.Process.wait` waited for)."""
    import psutil

    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(delay)
        delay = min(2 * delay, 0.05)


def health(state: dict[str, Any]) -> dict[str, str]:
    """Each child's health right now (ok / down)."""
    result = {}
    with httpx.Client(timeout=1) as http:  # one client (a TLS context each otherwise)
        for name, child in state.get("children", {}).items():
            path = child.get("health") or ("/healthz" if name == "api" else HEALTH_PATH)
            try:
                ok = http.get(child["url"] + path).status_code == 200
            except httpx.HTTPError:
                ok = False
            result[name] = "ok" if ok else "down"
    return result
