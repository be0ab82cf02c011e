################################################################################
# Read what earlier stacks wrote, write what later stacks read: /campusbot/<env>/<key>
################################################################################

locals {
  ssm_prefix = "/campusbot/${var.env}"

  ssm_inputs = [
    "network/vpc_id",
    "network/database_subnet_ids",
    "kms/key_arn",
  ]

  in = { for k, p in data.aws_ssm_parameter.in : k => p.insecure_value }

  ssm_outputs = {
    "rds/host"                     = module.rds.db_host
    "rds/instance_address"         = module.rds.db_instance_address
    "rds/port"                     = tostring(module.rds.db_instance_port)
    "rds/db_name"                  = module.rds.db_instance_name
    "rds/instance_id"              = module.rds.db_instance_identifier
    "rds/master_user_secret_arn"   = module.rds.db_instance_master_user_secret_arn
    "rds/client_security_group_id" = module.rds.db_client_security_group_id
  }
}

data "aws_ssm_parameter" "in" {
  for_each = toset(local.ssm_inputs)

  name = "${local.ssm_prefix}/${each.value}"
}

resource "aws_ssm_parameter" "out" {
  for_each = local.ssm_outputs

  name        = "${local.ssm_prefix}/${each.key}"
  description = "Written by the data stack"
  type        = "String"
  value       = each.value

  lifecycle {
    # checkov:skip=CKV2_AWS_34:Resource identifiers shared between stacks, not secrets; String keeps them readable in plans. Secrets stay in Secrets Manager.
  }
}
