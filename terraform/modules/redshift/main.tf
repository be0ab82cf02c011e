data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  create      = var.create
  partition   = data.aws_partition.current.partition
  catalog_arn = "arn:${local.partition}:glue:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}"
  lake_arn    = "arn:${local.partition}:s3:::${var.lake_bucket_name}"
}

################################################################################
# Role Redshift uses to query the lake (Spectrum over the Glue catalog) and COPY from it
################################################################################

data "aws_iam_policy_document" "assume" {
  count = local.create ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

data "aws_iam_policy_document" "lake" {
  count = local.create ? 1 : 0

  statement {
    sid       = "ListLake"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket"]
    resources = [local.lake_arn]
  }

  statement {
    sid       = "ReadLake"
    actions   = ["s3:GetObject"]
    resources = ["${local.lake_arn}/*"]
  }

  statement {
    sid       = "DecryptLake"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid = "ReadCatalog"
    actions = [
      "glue:GetDatabase",
      "glue:GetDatabases",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:GetTable",
      "glue:GetTables",
    ]
    resources = [
      "${local.catalog_arn}:catalog",
      "${local.catalog_arn}:database/${var.glue_database_name}",
      "${local.catalog_arn}:table/${var.glue_database_name}/*",
    ]
  }
}

resource "aws_iam_role" "this" {
  count = local.create ? 1 : 0

  name               = "${var.name}-redshift"
  assume_role_policy = data.aws_iam_policy_document.assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  count = local.create ? 1 : 0

  name   = "read-lake"
  role   = aws_iam_role.this[0].id
  policy = data.aws_iam_policy_document.lake[0].json
}

################################################################################
# Namespace (admin password managed in Secrets Manager) and private workgroup
################################################################################

resource "aws_redshiftserverless_namespace" "this" {
  count = local.create ? 1 : 0

  namespace_name                   = var.name
  db_name                          = var.db_name
  admin_username                   = var.admin_username
  manage_admin_password            = true
  admin_password_secret_kms_key_id = var.kms_key_arn
  kms_key_id                       = var.kms_key_arn
  iam_roles                        = [aws_iam_role.this[0].arn]
  default_iam_role_arn             = aws_iam_role.this[0].arn
  log_exports                      = ["userlog", "connectionlog", "useractivitylog"]

  tags = var.tags

  depends_on = [aws_iam_role_policy.this]
}

resource "aws_security_group" "this" {
  count = local.create ? 1 : 0

  name        = "${var.name}-redshift"
  description = "Redshift Serverless ${var.name}: ingress from the allowed security groups only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-redshift" })
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each = local.create ? var.allowed_security_group_ids : {}

  security_group_id            = aws_security_group.this[0].id
  description                  = "Redshift from ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = 5439
  to_port                      = 5439
  referenced_security_group_id = each.value

  tags = var.tags
}

resource "aws_redshiftserverless_workgroup" "this" {
  count = local.create ? 1 : 0

  workgroup_name       = var.name
  namespace_name       = aws_redshiftserverless_namespace.this[0].namespace_name
  base_capacity        = var.base_capacity
  max_capacity         = var.max_capacity
  subnet_ids           = var.subnet_ids
  security_group_ids   = [aws_security_group.this[0].id]
  publicly_accessible  = false
  enhanced_vpc_routing = true

  config_parameter {
    parameter_key   = "require_ssl"
    parameter_value = "true"
  }

  config_parameter {
    parameter_key   = "enable_user_activity_logging"
    parameter_value = "true"
  }

  tags = var.tags
}

# Cost guard: a daily ceiling of RPU-hours, after which queries are refused.
resource "aws_redshiftserverless_usage_limit" "this" {
  count = local.create ? 1 : 0

  resource_arn  = aws_redshiftserverless_workgroup.this[0].arn
  usage_type    = "serverless-compute"
  amount        = var.daily_rpu_hours_limit
  period        = "daily"
  breach_action = "deactivate"
}
