################################################################################
# What later stacks read: /campusbot/<env>/<key>
################################################################################

locals {
  ssm_prefix = "/campusbot/${var.env}"

  ssm_outputs = {
    "network/vpc_id"              = module.network.vpc_id
    "network/vpc_cidr_block"      = module.network.vpc_cidr_block
    "network/private_subnet_ids"  = join(",", module.network.private_subnet_ids)
    "network/database_subnet_ids" = join(",", module.network.database_subnet_ids)
    "kms/key_arn"                 = aws_kms_key.this.arn
    "s3/docs_bucket_name"         = module.docs_bucket.s3_bucket_id
    "s3/docs_bucket_arn"          = module.docs_bucket.s3_bucket_arn
    "s3/lake_bucket_name"         = module.lake_bucket.s3_bucket_id
    "s3/lake_bucket_arn"          = module.lake_bucket.s3_bucket_arn
    "s3/logs_bucket_name"         = module.logs_bucket.s3_bucket_id
    "ecr/api_repository_url"      = module.ecr.repository_url
    "ecr/api_repository_arn"      = module.ecr.repository_arn
  }
}

resource "aws_ssm_parameter" "out" {
  for_each = local.ssm_outputs

  name        = "${local.ssm_prefix}/${each.key}"
  description = "Written by the foundation stack"
  type        = "String"
  value       = each.value

  lifecycle {
    # checkov:skip=CKV2_AWS_34:Resource identifiers shared between stacks, not secrets; String keeps them readable in plans. Secrets stay in Secrets Manager.
  }
}
