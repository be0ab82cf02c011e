"""The nine deploy steps. Each one converges (a re-run changes nothing that is already right),
says what it did, and describes itself for --dry-run with the names it resolves, without
credentials or network: a step calls `ctx.plan(lines)` before its first call out, and a dry run
stops there. What differs between AWS and LocalStack is asked of `ctx.target` (deploy/targets.py).

1 preflight  2 image  3 lambdas  4 stacks  5 lex  6 migrate  7 documents  8 web  9 smoke
"""

from __future__ import annotations

from typing import Any

from campusbot.deploy import backend
from campusbot.deploy.pipeline import DeployContext, DeployError, Step, StepResult
from campusbot.deploy.stacks import FUNCTIONS, environment_name, ordered, workspace_name
from campusbot.deploy.targets import Check

MIN_TERRAFORM = (1, 10, 0)  # S3 backend use_lockfile


# -- 1. preflight --------------------------------------------------------------------------------------


def preflight(ctx: DeployContext) -> StepResult:
    """The doctor checks this target and via need; everything that is missing, at once, with the fix."""
    options = ctx.options
    checks = [_via_check(ctx), *ctx.target.checks(ctx)]
    ctx.plan([check.line for check in checks])
    rows: list[tuple[str, str, str]] = []
    problems: list[str] = []
    for check in checks:
        outcome = check.probe(ctx, rows)
        if outcome is None:
            continue
        ok, detail, fix = outcome
        rows.append((check.name, "ok" if ok else "missing", detail if ok else f"{detail} — {fix}"))
        if not ok:
            problems.append(f"{check.name}: {fix}")
    ctx.reporter.table(f"preflight: {options.target} via {options.via}", ["check", "status", "detail"], rows)
    if problems:
        raise DeployError("preflight failed: " + "; ".join(problems), fix="fix the rows marked missing, then re-run")
    return StepResult("preflight", "done", f"{len(rows)} checks passed")


def _via_check(ctx: DeployContext) -> Check:
    """Terraform here (local), or the Scalr credentials (scalr)."""
    binary = ctx.settings.terraform_bin
    if ctx.options.via == "local":

        def terraform(_ctx: DeployContext, _rows: list[tuple[str, str, str]]) -> tuple[bool, str, str]:
            from campusbot import diagnostics
            from campusbot.deploy.terraform import terraform_version

            version = terraform_version(binary)
            check = diagnostics.check_terraform()
            shown = check.detail if version else f"{binary} not found"
            return version is not None and version >= MIN_TERRAFORM, shown, "install Terraform >= 1.10 (S3 lockfile)"

        return Check("terraform", f"terraform: `{binary}` >= 1.10 on PATH (S3 backend lockfile)", terraform)

    def scalr(_ctx: DeployContext, _rows: list[tuple[str, str, str]]) -> tuple[bool, str, str]:
        import os

        from campusbot import diagnostics

        token = diagnostics.check_scalr_token()
        missing = [n for n in ("SCALR_HOSTNAME", "SCALR_TOKEN", "SCALR_ACCOUNT_ID") if not os.environ.get(n)]
        return token.status == "ok" and not missing, token.detail, f"export {', '.join(missing) or 'SCALR_TOKEN'}"

    return Check("scalr", "scalr: SCALR_HOSTNAME, SCALR_TOKEN (service account) and SCALR_ACCOUNT_ID exported", scalr)


def _state_bucket(ctx: DeployContext) -> str:
    from campusbot.deploy.stackrun import state_bucket

    return state_bucket(ctx)


# -- 2. image ------------------------------------------------------------------------------------------


def image(ctx: DeployContext) -> StepResult:
    from campusbot.deploy import image as images

    tag = images.image_tag(ctx.options.root)
    skip = ctx.target.skip("image")
    if skip:  # the stacks still need a URI (the app stack's variable): the name and the tag
        ctx.state.image_uri = f"{ctx.target.repository(ctx)}:{tag}"
        ctx.state.image_tag = tag
        return StepResult("image", "skipped", f"{skip} (tag {tag})")
    ctx.plan(
        [
            f"tag {tag} = hash of {len(images.context_files(ctx.options.root))} context files "
            f"({images.DOCKERFILE}, src/campusbot, …)",
            f"repository campusbot-{ctx.options.env}/api (ECR, IMMUTABLE; from the foundation stack, "
            "applied first if new)",
            f"if {tag} is already there: nothing; else docker build --platform {images.PLATFORM}, "
            "docker login with ECR GetAuthorizationToken, docker push",
        ]
    )
    repository_url = ctx.parameters().get("ecr/api_repository_url")
    if not repository_url:
        ctx.reporter.info("the ECR repository comes from the foundation stack: applying it first")
        _apply_stacks(ctx, ["foundation"])
        repository_url = ctx.parameter("ecr/api_repository_url")
    docker = ctx.docker or images.DockerCli(on_line=lambda line: None)
    with ctx.reporter.activity(f"image {tag}") as activity:
        try:
            result = images.ensure_image(
                ctx.client("ecr"), docker, repository_url, ctx.options.root, on_progress=activity.update
            )
        except images.ImageError as exc:
            raise DeployError(str(exc), fix="check `docker info`; the build log is above") from exc
    ctx.state.image_uri, ctx.state.image_tag = result.uri, result.tag
    return StepResult("image", "done" if result.pushed else "unchanged", result.detail)


# -- 3. lambdas ----------------------------------------------------------------------------------------


def lambdas(ctx: DeployContext) -> StepResult:
    from campusbot.deploy import lambda_package as packaging

    src = ctx.options.root / "src"
    ctx.plan(_package_lines(ctx))
    before = {name: a.hash for name, a in ctx.state.artifacts.items()}
    with ctx.reporter.activity(f"packaging {', '.join(FUNCTIONS)} (manylinux wheels, cached)") as activity:
        try:
            ca_bundle = ctx.target.rds_ca_bundle(ctx)
            artifacts = packaging.build_all(
                src, ctx.lambda_build_dir, ctx.lambda_cache_dir, on_progress=activity.update, ca_bundle=ca_bundle
            )
        except packaging.PackagingError as exc:
            raise DeployError(str(exc), fix="check network access to PyPI (pip) and the handler imports") from exc
    rows = [(a.function, f"{a.size / 1e6:.1f} MB", a.hash, str(a.path)) for a in artifacts.values()]
    ctx.reporter.table("Lambda zips", ["function", "size", "source_code_hash", "path"], rows)
    python = packaging.find_interpreter()
    if python is None:
        ctx.reporter.warn(f"no python{packaging.LAMBDA_PYTHON} here: the handler import check is skipped")
    else:
        sdk = packaging.runtime_sdk_dir(ctx.deploy_dir / "runtime-sdk")
        for artifact in artifacts.values():
            try:
                packaging.verify_zip(artifact.path, artifact.function, python, runtime_sdk=sdk)
            except packaging.PackagingError as exc:
                raise DeployError(str(exc)) from exc
        ctx.reporter.info(f"every handler imports from its zip in a clean python{packaging.LAMBDA_PYTHON}")
    ctx.state.artifacts = artifacts
    changed = [name for name, a in artifacts.items() if before.get(name) != a.hash]
    if not changed:
        return StepResult("lambdas", "unchanged", "same zips as the last deploy")
    return StepResult("lambdas", "done", f"built {', '.join(changed)}")


def _package_lines(ctx: DeployContext) -> list[str]:
    from campusbot.deploy import lambda_package as packaging

    lines = []
    for function in FUNCTIONS:
        try:
            plan = packaging.plan_package(function, ctx.options.root / "src")
        except packaging.PackagingError as exc:
            lines.append(f"{function}: cannot package: {exc}")
            continue
        lines.append(
            f"{function}: {plan.handler}, {len(plan.modules)} campusbot modules, {len(plan.distributions)} "
            f"distributions (manylinux wheels, cp{packaging.LAMBDA_PYTHON.replace('.', '')}) → "
            f"{ctx.lambda_build_dir / (function + '.zip')}"
        )
    lines.append("reproducible zips (sorted entries, fixed timestamps): an unchanged input keeps its source_code_hash")
    return lines


# -- 4. stacks -----------------------------------------------------------------------------------------


def _apply_stacks(ctx: DeployContext, names: list[str] | None = None) -> list[Any]:
    from campusbot.deploy import stackrun

    stackrun.require_current_bot_template(ctx.options.root)
    inputs = stackrun.deploy_inputs(ctx)
    chosen = ordered(names)
    if ctx.options.via == "scalr":
        outcomes = stackrun.apply_scalr(ctx, chosen, inputs)
    else:
        outcomes = stackrun.apply_local(ctx, chosen, inputs)
    ctx.parameters(refresh=True)
    return outcomes


def stacks_step(ctx: DeployContext) -> StepResult:
    ctx.plan(_stack_lines(ctx))
    missing = [name for name in FUNCTIONS if name not in ctx.state.artifacts]
    if missing or ctx.state.image_uri is None:
        raise DeployError(
            "the image and Lambda zips of an earlier run are unknown",
            fix="run the image and lambdas steps first (drop --from, or --from image)",
        )
    outcomes = _apply_stacks(ctx)
    rows = [(o.stack, o.plan.counts() if o.plan else "", o.detail) for o in outcomes]
    ctx.reporter.table(
        f"stacks ({ctx.options.env}, {ctx.options.target} via {ctx.options.via})", ["stack", "plan", "result"], rows
    )
    for outcome in outcomes:
        shown = {k: v for k, v in outcome.outputs.items() if k not in outcome.sensitive and k != "ssm_parameter_names"}
        if shown:
            ctx.reporter.table(
                f"outputs of {outcome.stack}", ["output", "value"], [(k, _short(v)) for k, v in shown.items()]
            )
    applied = [o.stack for o in outcomes if o.applied]
    if not applied:
        return StepResult("stacks", "unchanged", f"{len(outcomes)} stacks, no changes")
    return StepResult("stacks", "done", f"applied {', '.join(applied)}")


def _short(value: Any, width: int = 100) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _stack_lines(ctx: DeployContext) -> list[str]:
    from campusbot.deploy import stackrun

    options = ctx.options
    lines = []
    for stack in ordered():
        if options.via == "scalr":
            where = f"Scalr workspace {workspace_name(options.env, stack.name)} in {environment_name(options.env)}"
        else:
            where = stackrun.stack_backend(ctx, stack).describe()
        lines.append(f"{stack.name}: {stack.description}")
        lines.append(f"    {stack.directory(options.root).relative_to(options.root)} → {where}")
        files = [
            str(p.relative_to(options.root)) if p.is_relative_to(options.root) else str(p)
            for p in stackrun.var_files(ctx, stack)
        ]
        lines.append(f"    var files: {', '.join(files)}")
        cli_variables = ["env", "region"]
        if stack.name == "app":
            cli_variables.append("api_image_uri")
        if stack.functions:
            cli_variables.append(f"lambda_artifacts[{', '.join(stack.functions)}]")
        if stack.name == "conversation":
            cli_variables.append("lex_slot_type_values[UniversityName] from the seed data")
        lines.append(f"    CLI variables: {', '.join(cli_variables)}")
        lines += ctx.target.stack_notes(ctx, stack)
    if options.via == "scalr":
        lines.append(
            "each run: configuration version upload, plan, policy checks printed, confirmation, apply; "
            "a hard-mandatory failure stops the deploy"
        )
    else:
        lines.append(
            "each stack: init (backend_override.tf), plan, "
            + ("confirmation, apply" if ctx.target.confirms_apply else "apply")
            + ", outputs read back"
        )
    return lines + ctx.target.stacks_notes(ctx)


# -- 5. lex --------------------------------------------------------------------------------------------


def lex_step(ctx: DeployContext) -> StepResult:
    from campusbot.deploy import lex_bot

    skip = ctx.target.skip("lex")
    if skip:
        return StepResult("lex", "skipped", skip)
    ctx.plan(
        [
            "the conversation stack's CloudFormation builds the locale, cuts a version per definition change "
            "and moves the alias",
            f"check: /campusbot/{ctx.options.env}/lex/bot_alias_id serves a version whose locale is Built; "
            "build the DRAFT locale if it is not",
        ]
    )
    bot_id, alias_id, locale_id = (ctx.parameter(f"lex/{key}") for key in ("bot_id", "bot_alias_id", "locale_id"))
    with ctx.reporter.activity(f"Lex bot {bot_id} alias {alias_id}") as activity:
        try:
            status = lex_bot.check_bot(
                ctx.client("lexv2-models"), bot_id, alias_id, locale_id, on_status=activity.update
            )
        except lex_bot.LexError as exc:
            raise DeployError(str(exc), fix="see the bot's build failure reasons in the Lex console") from exc
    detail = f"alias {status.alias_name or alias_id} → version {status.version}, {locale_id} {status.locale_status}"
    return StepResult(
        "lex", "done" if status.built_draft else "unchanged", detail + ("; DRAFT rebuilt" if status.built_draft else "")
    )


# -- 6. migrate ----------------------------------------------------------------------------------------


def migrate(ctx: DeployContext) -> StepResult:
    from campusbot.deploy import runtask

    skip = ctx.target.skip("migrate")
    if skip:
        return StepResult("migrate", "skipped", skip)
    ctx.plan(
        [
            f"ECS RunTask on the cluster and task definition of campusbot-{ctx.options.env}-api (read from the "
            f"service), command override `{' '.join(runtask.SEED_COMMAND)}` (alembic upgrade head, then the "
            "idempotent seed)",
            "waits for STOPPED, requires exit code 0, prints the task's CloudWatch log",
        ]
    )
    cluster, service = ctx.parameter("app/ecs_cluster_name"), ctx.parameter("app/ecs_service_name")
    ecs = ctx.client("ecs")
    with ctx.reporter.activity(f"one-off task on {cluster}: {' '.join(runtask.SEED_COMMAND)}") as activity:
        try:
            setup = runtask.setup_from_service(ecs, cluster, service)
            result = runtask.run_one_off(ecs, ctx.client("logs"), setup, on_status=activity.update)
        except runtask.RunTaskError as exc:
            for line in exc.result.log_lines if exc.result else ():
                ctx.reporter.info(f"  | {line}")
            raise DeployError(str(exc), fix="the task's log is above (CloudWatch /ecs/…)") from exc
    for line in result.log_lines[-40:]:
        ctx.reporter.info(f"  | {line}")
    return StepResult("migrate", "done", f"task {result.task_arn.rsplit('/', 1)[-1]} exited 0")


# -- 7. documents --------------------------------------------------------------------------------------


def documents_step(ctx: DeployContext) -> StepResult:
    from botocore.exceptions import BotoCoreError, ClientError

    from campusbot.deploy import documents

    files = documents.sample_files(ctx.options.samples)
    if not files:
        return StepResult("documents", "skipped", f"no sample documents in {ctx.options.samples}")
    folder = ctx.options.samples.relative_to(ctx.options.root)
    ctx.plan(
        [
            f"{len(files)} files of {folder} → s3://<docs bucket>/samples/… "
            f"(/campusbot/{ctx.options.env}/s3/docs_bucket_name); same MD5 = not sent"
        ]
    )
    skip = ctx.target.probe_skip("documents", ctx)
    if skip:
        return StepResult("documents", "skipped", skip)
    bucket = ctx.parameter("s3/docs_bucket_name")
    with ctx.reporter.activity(f"uploading to s3://{bucket}", total=len(files)) as activity:
        try:
            uploads = documents.upload_samples(
                ctx.client("s3"), bucket, ctx.options.samples, on_progress=lambda _u: activity.advance()
            )
        except (ClientError, BotoCoreError) as exc:
            raise DeployError(f"uploading to s3://{bucket} failed: {exc}", fix="check your S3 permissions") from exc
    sent = [u for u in uploads if u.uploaded]
    if not sent:
        return StepResult("documents", "unchanged", f"{len(uploads)} documents already in s3://{bucket}")
    return StepResult(
        "documents", "done", f"uploaded {len(sent)} of {len(uploads)} to s3://{bucket} (the vectorizer indexes them)"
    )


# -- 8. web -------------------------------------------------------------------------------------------


def web_step(ctx: DeployContext) -> StepResult:
    from botocore.exceptions import BotoCoreError, ClientError

    from campusbot.deploy import web

    ctx.plan(
        [
            "web/ (index.html, app.js, widget.js, …) and a generated config.json (API URL, API key, Cognito pool) → "
            f"s3://<web bucket> (/campusbot/{ctx.options.env}/web/bucket_name), then a CloudFront invalidation; "
            "prints the web chat's URL"
        ]
    )
    bucket = ctx.parameters().get("web/bucket_name")
    if not bucket or bucket == "none":
        return StepResult("web", "skipped", "no web bucket (the conversation stack's create_web is false)")
    skip = ctx.target.probe_skip("web", ctx)
    if skip:
        return StepResult("web", "skipped", skip)
    url, api_key = _chat_endpoint(ctx)
    if url is None:
        url = ctx.parameter("api/chat_url")
    config = web.client_config(url, api_key=api_key, cognito=_cognito(ctx))
    try:
        uploads = web.upload(ctx.client("s3"), bucket, config)
        sent = [u for u in uploads if u.uploaded]
        distribution = ctx.parameters().get("web/distribution_id")
        if sent and distribution and distribution != "none" and ctx.target.invalidates_cdn:
            web.invalidate(ctx.client("cloudfront"), distribution)
    except (ClientError, BotoCoreError) as exc:
        raise DeployError(f"uploading the web chat to s3://{bucket} failed: {exc}", fix="check S3 permissions") from exc
    site = ctx.parameters().get("web/url") or f"s3://{bucket}"
    return StepResult("web", "done" if sent else "unchanged", f"web chat: {site} ({len(sent)} of {len(uploads)} sent)")


def _cognito(ctx: DeployContext) -> dict[str, str] | None:
    """The user pool of issue 12 (SSM cognito/user_pool_id, cognito/client_id), when the stacks have one."""
    parameters = ctx.parameters()
    pool, client = parameters.get("cognito/user_pool_id"), parameters.get("cognito/client_id")
    if not pool or not client:
        return None
    region = pool.split("_", 1)[0]
    return {
        "region": region,
        "endpoint": f"https://cognito-idp.{region}.amazonaws.com/",
        "userPoolId": pool,
        "clientId": client,
    }


# -- 9. smoke ------------------------------------------------------------------------------------------


def smoke(ctx: DeployContext) -> StepResult:
    from campusbot.chat.client import ChatClient
    from campusbot.chat.smoke import ScriptError, load_conversations, run_conversation

    folder = ctx.options.conversations
    if not folder.is_dir():
        return StepResult("smoke", "skipped", f"no conversation scripts in {folder}")
    ctx.plan(
        [
            f"platform chat --smoke: the scripts of {folder.relative_to(ctx.options.root)} against "
            + ctx.target.chat_url_line(ctx)
        ]
    )
    url, api_key = _chat_endpoint(ctx)
    if url is None:
        return StepResult("smoke", "skipped", api_key or "no chat endpoint")
    try:
        conversations = load_conversations(folder)
    except ScriptError as exc:
        raise DeployError(str(exc)) from exc
    from campusbot.auth.signin import CognitoUsers, account_signer, deployed_pool

    def users() -> CognitoUsers:  # signed-in scripts: accounts in the env's user pool (ids from SSM)
        pool = deployed_pool(ctx.client("ssm"), ctx.options.env, ctx.settings.region)
        return CognitoUsers(pool, ctx.client("cognito-idp"))

    sign_in = account_signer(users)
    results = []
    with (
        ChatClient(url, api_key=api_key) as client,
        ctx.reporter.activity(f"smoke conversations against {url}", total=len(conversations)) as activity,
    ):
        for conversation in conversations:
            activity.update(conversation.name)
            results.append(run_conversation(client, conversation, sign_in=sign_in))
            activity.advance()
    rows = [(r.conversation.name, "pass" if r.passed else "FAIL", "; ".join(r.failures)[:200]) for r in results]
    ctx.reporter.table(f"platform chat --smoke against {url}", ["conversation", "result", "failures"], rows)
    failed = [r for r in results if not r.passed]
    if failed:
        raise DeployError(
            f"{len(failed)} of {len(results)} smoke conversations failed",
            fix=f"platform chat --url {url} to try by hand",
        )
    return StepResult("smoke", "done", f"{len(results)} conversations passed")


def _chat_endpoint(ctx: DeployContext) -> tuple[str | None, str | None]:
    """(url, api key), or (None, why not)."""
    url, why = ctx.target.chat_url(ctx)
    if url is None:
        return None, why
    key_id = ctx.parameters().get("api/api_key_id")
    api_key = None
    if key_id:
        api_key = str(ctx.client("apigateway").get_api_key(apiKey=key_id, includeValue=True).get("value") or "") or None
    return url, api_key


STEPS = (
    Step("preflight", "preflight checks", preflight),
    Step("image", "API image → ECR", image),
    Step("lambdas", "Lambda zips", lambdas),
    Step("stacks", "Terraform stacks", stacks_step),
    Step("lex", "Lex locale, version, alias", lex_step),
    Step("migrate", "migrations + seed (ECS RunTask)", migrate),
    Step("documents", "sample documents → S3", documents_step),
    Step("web", "web chat → S3 + CloudFront", web_step),
    Step("smoke", "platform chat --smoke", smoke),
)


def resolve_account(ctx: DeployContext) -> str:
    """The AWS account of the credentials (it names the state bucket)."""
    try:
        identity = ctx.client("sts").get_caller_identity()
    except Exception as exc:  # no or expired credentials
        raise DeployError(
            f"no usable AWS credentials: {exc}", fix="aws sso login / AWS_PROFILE / AWS_* variables"
        ) from exc
    ctx.account_id = str(identity["Account"])
    return ctx.account_id


def bootstrap_state(ctx: DeployContext) -> backend.BootstrapReport:
    """`platform bootstrap`: the state bucket of the aws target."""
    resolve_account(ctx)
    bucket = _state_bucket(ctx)
    return backend.ensure_state_bucket(ctx.client("s3"), bucket, ctx.settings.region)
