################################################################################
# Read what earlier stacks wrote, write what the CLI reads: /campusbot/<env>/<key>
################################################################################

locals {
  ssm_prefix = "/campusbot/${var.env}"

  ssm_inputs = [
    "network/vpc_id",
    "network/private_subnet_ids",
    "kms/key_arn",
    "s3/lake_bucket_name",
    "s3/lake_bucket_arn",
    "s3/logs_bucket_name",
    "lambda/lex_proxy_log_group",
    "rds/db_name",
    "rds/client_security_group_id",
  ]

  in = { for k, p in data.aws_ssm_parameter.in : k => p.insecure_value }

  ssm_outputs = {
    "analytics/glue_database_name"    = module.glue.glue_catalog_database_name
    "analytics/chat_events_table"     = module.glue.glue_catalog_table_name
    "analytics/athena_workgroup"      = module.athena.athena_workgroup_name
    "analytics/athena_results_bucket" = module.athena_results.s3_bucket_id
    "analytics/dms_source_secret_arn" = coalesce(module.dms.source_secret_arn, "none")
    "analytics/chat_events_stream"    = coalesce(module.chat_events.firehose_delivery_stream_name, "none")
  }
}

data "aws_ssm_parameter" "in" {
  for_each = toset(local.ssm_inputs)

  name = "${local.ssm_prefix}/${each.value}"
}

resource "aws_ssm_parameter" "out" {
  for_each = local.ssm_outputs

  name        = "${local.ssm_prefix}/${each.key}"
  description = "Written by the analytics stack"
  type        = "String"
  value       = each.value

  lifecycle {
    # checkov:skip=CKV2_AWS_34:Resource identifiers shared between stacks, not secrets; String keeps them readable in plans. Secrets stay in Secrets Manager.
  }
}
