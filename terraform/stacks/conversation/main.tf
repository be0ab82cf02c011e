data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  name = "campusbot-${var.env}"

  default_tags = merge(var.tags, {
    Project     = "campusbot"
    Environment = var.env
    Stack       = "conversation"
    ManagedBy   = "terraform"
  })

  vpc_id             = local.in["network/vpc_id"]
  private_subnet_ids = split(",", local.in["network/private_subnet_ids"])
  kms_key_arn        = local.in["kms/key_arn"]

  lex_proxy_name    = "${local.name}-lex-proxy"
  authorizer_name   = "${local.name}-authorizer"
  lex_log_group     = "/aws/lex/${local.name}"
  bot_template_path = coalesce(var.bot_template_path, "${path.module}/../../../src/campusbot/bot/bot.template.json")

  # the chat API's browser origin: the web chat's CloudFront URL, unless api_cors_allow_origin names one
  cors_allow_origin = var.api_cors_allow_origin != "" ? var.api_cors_allow_origin : (var.create_web ? module.web.url : "*")

  bot_id       = var.create_lex_bot ? module.lex_bot.bot_id : coalesce(var.bot_id, "none")
  bot_alias_id = var.create_lex_bot ? module.lex_bot.bot_alias_id : coalesce(var.bot_alias_id, "none")
  bot_alias_arn = join(":", [
    "arn", data.aws_partition.current.partition, "lex", data.aws_region.current.id,
    data.aws_caller_identity.current.account_id, "bot-alias/${local.bot_id}/${local.bot_alias_id}",
  ])
}

################################################################################
# Lex V2 bot: the CloudFormation template rendered from src/campusbot/bot/definition.yaml
# (bot.template.json, the bot the local emulator runs): built, versioned and aliased, with the
# fulfillment Lambda (app stack) as the alias's code hook
################################################################################

module "bot_iam" {
  source = "../../modules/iam"

  name_prefix                     = local.name
  create_lex_bot_role             = var.create_lex_bot
  lex_conversation_log_group_name = local.lex_log_group

  tags = var.tags
}

# The bot template is deployed from S3 (template_url: 1 MB instead of template_body's 51,200 bytes, which
# the bot had come within 4 KB of): a private bucket of its own, SSE-KMS with the platform key, versioned,
# access-logged like the other buckets. It only holds generated templates, so destroy may empty it.
module "bot_template_bucket" {
  source = "../../modules/s3"

  create_bucket = var.create_lex_bot
  bucket        = "${local.name}-bot-templates-${data.aws_caller_identity.current.account_id}-${data.aws_region.current.id}"
  kms_key_arn   = local.kms_key_arn
  force_destroy = true
  logging       = { target_bucket = local.in["s3/logs_bucket_name"] }
  lifecycle_rules = [{
    id                                 = "noncurrent-templates"
    noncurrent_version_expiration_days = 30
  }]

  tags = local.default_tags
}

module "lex_bot" {
  source = "../../modules/lex_bot"

  create                      = var.create_lex_bot
  name                        = local.name
  template_path               = local.bot_template_path
  template_bucket             = var.create_lex_bot ? module.bot_template_bucket.s3_bucket_id : null
  template_kms_key_arn        = local.kms_key_arn
  role_arn                    = coalesce(module.bot_iam.lex_bot_role_arn, "none")
  fulfillment_lambda_arn      = local.in["lambda/fulfillment_arn"]
  alias_name                  = var.lex_alias_name
  slot_type_values            = var.lex_slot_type_values
  conversation_log_group_name = local.lex_log_group
  kms_key_arn                 = local.kms_key_arn
  log_retention_days          = var.log_retention_days

  tags = local.default_tags
}

################################################################################
# Sign-in: the Cognito user pool students sign in to, and the authorizer of POST /chat that verifies its
# ID tokens (anonymous requests pass as anonymous; the verified principal goes to lex_proxy in the context)
################################################################################

module "cognito" {
  source = "../../modules/cognito"

  name                          = local.name
  password_minimum_length       = var.cognito_password_minimum_length
  id_token_validity_minutes     = var.cognito_id_token_validity_minutes
  access_token_validity_minutes = var.cognito_access_token_validity_minutes
  refresh_token_validity_days   = var.cognito_refresh_token_validity_days
  allow_password_auth           = var.cognito_allow_password_auth
  self_sign_up                  = var.cognito_self_sign_up
  deletion_protection           = var.cognito_deletion_protection

  tags = local.default_tags
}

module "authorizer" {
  source = "../../modules/lambda_function"

  function_name      = local.authorizer_name
  description        = "POST /chat authorizer: anonymous passes, a Cognito ID token is verified (JWKS cached)"
  handler            = "campusbot.lambdas.authorizer.handler"
  role_arn           = module.lambda_iam.lambda_role_arns["authorizer"]
  artifact_path      = var.lambda_artifacts["authorizer"].path
  artifact_s3_bucket = var.lambda_artifacts["authorizer"].s3_bucket
  artifact_s3_key    = var.lambda_artifacts["authorizer"].s3_key
  source_code_hash   = var.lambda_artifacts["authorizer"].hash
  timeout            = 10
  memory_size        = 256
  vpc_id             = local.vpc_id
  subnet_ids         = local.private_subnet_ids
  kms_key_arn        = local.kms_key_arn
  log_retention_days = var.log_retention_days
  create_alarms      = false

  reserved_concurrent_executions = lookup(var.lambda_reserved_concurrency, "authorizer", -1)

  environment_variables = {
    CAMPUSBOT_COGNITO_ISSUER             = module.cognito.issuer
    CAMPUSBOT_COGNITO_CLIENT_ID          = module.cognito.client_id
    CAMPUSBOT_COGNITO_JWKS_CACHE_SECONDS = tostring(var.cognito_jwks_cache_seconds)
    CAMPUSBOT_TARGET                     = "aws"
    CAMPUSBOT_ENV                        = var.env
  }

  tags = var.tags
}

################################################################################
# lex_proxy: POST /chat → Lex RecognizeText; chat events as log lines (→ Firehose → lake)
################################################################################

module "lambda_iam" {
  source = "../../modules/iam"

  name_prefix = local.name
  lambda_roles = {
    lex_proxy = {
      function_name = local.lex_proxy_name
      vpc_access    = true
      kms_key_arns  = [local.kms_key_arn]
      statements = [
        {
          sid       = "RecognizeText"
          actions   = ["lex:RecognizeText"] # one Lex call per turn: the principal goes as request attributes
          resources = [local.bot_alias_arn]
        },
      ]
    }
    # verifies tokens against the pool's public JWKS (HTTPS): no AWS permission beyond logs, X-Ray, DLQ
    authorizer = {
      function_name = local.authorizer_name
      vpc_access    = true
      kms_key_arns  = [local.kms_key_arn]
    }
  }

  tags = var.tags
}

module "lex_proxy" {
  source = "../../modules/lambda_function"

  function_name      = local.lex_proxy_name
  description        = "POST /chat: forwards the message to Lex, records the turn in the lake"
  handler            = "campusbot.lambdas.lex_proxy.handler"
  role_arn           = module.lambda_iam.lambda_role_arns["lex_proxy"]
  artifact_path      = var.lambda_artifacts["lex_proxy"].path
  artifact_s3_bucket = var.lambda_artifacts["lex_proxy"].s3_bucket
  artifact_s3_key    = var.lambda_artifacts["lex_proxy"].s3_key
  source_code_hash   = var.lambda_artifacts["lex_proxy"].hash
  timeout            = 30
  memory_size        = 512
  vpc_id             = local.vpc_id
  subnet_ids         = local.private_subnet_ids
  kms_key_arn        = local.kms_key_arn
  log_retention_days = var.log_retention_days
  create_alarms      = false

  reserved_concurrent_executions = lookup(var.lambda_reserved_concurrency, "lex_proxy", -1)

  environment_variables = {
    CAMPUSBOT_BOT_ID            = local.bot_id
    CAMPUSBOT_BOT_ALIAS_ID      = local.bot_alias_id
    CAMPUSBOT_LOCALE_ID         = module.lex_bot.locale_id
    CAMPUSBOT_LAKE_BUCKET       = local.in["s3/lake_bucket_name"]
    CAMPUSBOT_TARGET            = "aws"
    CAMPUSBOT_ENV               = var.env
    CAMPUSBOT_CHAT_EVENTS       = "log"
    CAMPUSBOT_CORS_ALLOW_ORIGIN = local.cors_allow_origin
  }

  tags = var.tags
}

################################################################################
# Public chat API: REST POST /chat with API key, usage plan, validation, WAF
################################################################################

module "api" {
  source = "../../modules/api_gateway"

  name                           = "${local.name}-chat"
  lambda_function_name           = module.lex_proxy.lambda_function_name
  lambda_invoke_arn              = module.lex_proxy.lambda_function_invoke_arn
  authorizer_function_name       = module.authorizer.lambda_function_name
  authorizer_invoke_arn          = module.authorizer.lambda_function_invoke_arn
  stage_name                     = var.api_stage_name
  cors_allow_origin              = local.cors_allow_origin
  throttling_rate_limit          = var.api_throttling_rate_limit
  throttling_burst_limit         = var.api_throttling_burst_limit
  quota_per_day                  = var.api_quota_per_day
  create_account_cloudwatch_role = var.apigw_create_account_role
  create_waf_web_acl             = var.create_waf
  kms_key_arn                    = local.kms_key_arn
  log_retention_days             = var.log_retention_days

  tags = var.tags
}

################################################################################
# Dashboards and alarms for the whole chain: API → Lambdas → Lex → ALB/ECS → RDS
################################################################################

module "observability" {
  source = "../../modules/observability"

  name                  = local.name
  kms_key_arn           = local.kms_key_arn
  alarm_email_addresses = var.alarm_email_addresses

  api = {
    name  = module.api.api_gateway_rest_api_name
    stage = module.api.api_gateway_stage_name
  }

  lambda_function_names = {
    lex_proxy   = module.lex_proxy.lambda_function_name
    fulfillment = local.in["lambda/fulfillment_name"]
    vectorizer  = local.in["lambda/vectorizer_name"]
  }

  dlq_names = {
    lex_proxy   = module.lex_proxy.dlq_name
    fulfillment = local.in["lambda/fulfillment_dlq_name"]
    vectorizer  = local.in["lambda/vectorizer_dlq_name"]
  }

  lex = var.create_lex_bot ? {
    bot_id       = module.lex_bot.bot_id
    bot_alias_id = module.lex_bot.bot_alias_id
    locale_id    = module.lex_bot.locale_id
  } : null

  alb = {
    arn_suffix              = local.in["app/alb_arn_suffix"]
    target_group_arn_suffix = local.in["app/target_group_arn_suffix"]
  }

  ecs = {
    cluster_name = local.in["app/ecs_cluster_name"]
    service_name = local.in["app/ecs_service_name"]
  }

  rds = {
    instance_id = local.in["rds/instance_id"]
  }

  tags = var.tags
}

################################################################################
# The students' web chat: private bucket + CloudFront (platform deploy uploads web/ and its config.json)
################################################################################

module "web" {
  source = "../../modules/web"

  create = var.create_web
  name   = local.name
  # the chat API and Cognito in this region (the API's own id would be a cycle: its CORS origin is this URL)
  api_origins = concat([
    "https://*.execute-api.${data.aws_region.current.id}.amazonaws.com",
    "https://cognito-idp.${data.aws_region.current.id}.amazonaws.com",
  ], var.web_connect_origins)
  widget_hosts = var.web_widget_hosts

  tags = local.default_tags
}
