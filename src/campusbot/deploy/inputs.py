"""What `platform plan` and `platform destroy` pass to the stacks without running the deploy steps:
the account (for the state bucket), the image URI (recomputed, never pushed) and the Lambda zips
(built from the cache). `platform deploy` gets the same from its image and lambdas steps."""

from __future__ import annotations

from campusbot.deploy.pipeline import DeployContext
from campusbot.deploy.stacks import DeployInputs


def stack_inputs(ctx: DeployContext) -> DeployInputs:
    """The inputs of plan and destroy: the target learns its account, then the image URI and zips."""
    from campusbot.deploy import stackrun

    ctx.target.resolve_account(ctx)
    prepare_inputs(ctx)
    return stackrun.deploy_inputs(ctx)


def prepare_inputs(ctx: DeployContext) -> None:
    """The image URI and Lambda zips the stacks need as variables (built or recomputed, never pushed)."""
    from campusbot.deploy import image as images
    from campusbot.deploy import lambda_package as packaging

    tag = images.image_tag(ctx.options.root)
    if ctx.state.image_tag != tag or ctx.state.image_uri is None:
        repository = ctx.state.image_uri.rsplit(":", 1)[0] if ctx.state.image_uri else ctx.target.repository(ctx)
        ctx.state.image_uri, ctx.state.image_tag = f"{repository}:{tag}", tag
    ca_bundle = ctx.target.rds_ca_bundle(ctx)
    with ctx.reporter.activity("packaging Lambdas (cached)"):
        ctx.state.artifacts = packaging.build_all(
            ctx.options.root / "src", ctx.lambda_build_dir, ctx.lambda_cache_dir, ca_bundle=ca_bundle
        )
