################################################################################
# Read what earlier stacks wrote, write what later stacks read: /campusbot/<env>/<key>
################################################################################

locals {
  ssm_prefix = "/campusbot/${var.env}"

  ssm_inputs = [
    "network/vpc_id",
    "network/private_subnet_ids",
    "kms/key_arn",
    "s3/lake_bucket_name",
    "s3/logs_bucket_name",
    "lambda/fulfillment_arn",
    "lambda/fulfillment_name",
    "lambda/fulfillment_dlq_name",
    "lambda/vectorizer_name",
    "lambda/vectorizer_dlq_name",
    "app/alb_arn_suffix",
    "app/target_group_arn_suffix",
    "app/ecs_cluster_name",
    "app/ecs_service_name",
    "rds/instance_id",
  ]

  in = { for k, p in data.aws_ssm_parameter.in : k => p.insecure_value }

  ssm_outputs = {
    "lex/bot_id"                    = local.bot_id
    "lex/bot_alias_id"              = local.bot_alias_id
    "lex/locale_id"                 = module.lex_bot.locale_id
    "lambda/lex_proxy_name"         = module.lex_proxy.lambda_function_name
    "lambda/lex_proxy_log_group"    = module.lex_proxy.cloudwatch_log_group_name
    "api/rest_api_id"               = module.api.api_gateway_rest_api_id
    "api/stage_name"                = module.api.api_gateway_stage_name
    "api/chat_url"                  = module.api.chat_url
    "api/api_key_id"                = module.api.api_gateway_api_key_id
    "observability/alarm_topic_arn" = module.observability.sns_topic_arn
    "cognito/user_pool_id"          = module.cognito.user_pool_id
    "cognito/client_id"             = module.cognito.client_id
    "cognito/issuer"                = module.cognito.issuer
    "lambda/authorizer_name"        = module.authorizer.lambda_function_name
    "web/bucket_name"               = coalesce(module.web.bucket_name, "none")
    "web/distribution_id"           = coalesce(module.web.distribution_id, "none")
    "web/url"                       = coalesce(module.web.url, "none")
  }
}

data "aws_ssm_parameter" "in" {
  for_each = toset(local.ssm_inputs)

  name = "${local.ssm_prefix}/${each.value}"
}

resource "aws_ssm_parameter" "out" {
  for_each = local.ssm_outputs

  name        = "${local.ssm_prefix}/${each.key}"
  description = "Written by the conversation stack"
  type        = "String"
  value       = each.value

  lifecycle {
    # checkov:skip=CKV2_AWS_34:Resource identifiers shared between stacks, not secrets; String keeps them readable in plans. Secrets stay in Secrets Manager.
  }
}
