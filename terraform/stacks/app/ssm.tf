################################################################################
# Read what earlier stacks wrote, write what later stacks read: /campusbot/<env>/<key>
################################################################################

locals {
  ssm_prefix = "/campusbot/${var.env}"

  ssm_inputs = [
    "network/vpc_id",
    "network/private_subnet_ids",
    "kms/key_arn",
    "s3/docs_bucket_name",
    "s3/docs_bucket_arn",
    "s3/logs_bucket_name",
    "ecr/api_repository_arn",
    "rds/host",
    "rds/port",
    "rds/db_name",
    "rds/master_user_secret_arn",
    "rds/client_security_group_id",
  ]

  in = { for k, p in data.aws_ssm_parameter.in : k => p.insecure_value }

  ssm_outputs = {
    "app/alb_dns_name"            = module.api.lb_dns_name
    "app/api_url"                 = "http://${module.api.lb_dns_name}"
    "app/alb_arn_suffix"          = module.api.lb_arn_suffix
    "app/target_group_arn_suffix" = module.api.lb_target_group_arn_suffix
    "app/ecs_cluster_name"        = module.api.ecs_cluster_name
    "app/ecs_service_name"        = module.api.ecs_service_name
    "lambda/fulfillment_arn"      = module.fulfillment.lambda_function_arn
    "lambda/fulfillment_name"     = module.fulfillment.lambda_function_name
    "lambda/fulfillment_dlq_name" = module.fulfillment.dlq_name
    "lambda/vectorizer_name"      = module.vectorizer.lambda_function_name
    "lambda/vectorizer_dlq_name"  = module.vectorizer.dlq_name
  }
}

data "aws_ssm_parameter" "in" {
  for_each = toset(local.ssm_inputs)

  name = "${local.ssm_prefix}/${each.value}"
}

resource "aws_ssm_parameter" "out" {
  for_each = local.ssm_outputs

  name        = "${local.ssm_prefix}/${each.key}"
  description = "Written by the app stack"
  type        = "String"
  value       = each.value

  lifecycle {
    # checkov:skip=CKV2_AWS_34:Resource identifiers shared between stacks, not secrets; String keeps them readable in plans. Secrets stay in Secrets Manager.
  }
}
