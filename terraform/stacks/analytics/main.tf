data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  name = "campusbot-${var.env}"

  default_tags = merge(var.tags, {
    Project     = "campusbot"
    Environment = var.env
    Stack       = "analytics"
    ManagedBy   = "terraform"
  })

  vpc_id             = local.in["network/vpc_id"]
  private_subnet_ids = split(",", local.in["network/private_subnet_ids"])
  kms_key_arn        = local.in["kms/key_arn"]
  lake_bucket_name   = local.in["s3/lake_bucket_name"]
  queries_dir        = "${path.module}/../../../src/campusbot/analytics/queries"

  # Name of the secret the dms module creates; the suffix matches Secrets Manager's random one.
  dms_source_secret_arn = "arn:${data.aws_partition.current.partition}:secretsmanager:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:secret:${local.name}/dms-source-*"
}

################################################################################
# Catalog: chat_events (partition projection) and the DMS output crawler
################################################################################

module "glue" {
  source = "../../modules/glue_catalog"

  name_prefix                        = local.name
  database_name                      = "campusbot_${var.env}"
  lake_bucket_name                   = local.lake_bucket_name
  kms_key_arn                        = local.kms_key_arn
  create_dms_crawler                 = var.create_dms
  create_catalog_encryption_settings = var.glue_catalog_encryption

  tags = var.tags
}

################################################################################
# Chat events: lex_proxy's JSON log lines → Firehose → s3://<lake>/chat-events/dt=.../
################################################################################

module "chat_events" {
  source = "../../modules/firehose"

  create                 = var.create_chat_events_delivery
  name                   = "${local.name}-chat-events"
  bucket_arn             = local.in["s3/lake_bucket_arn"]
  kms_key_arn            = local.kms_key_arn
  source_log_group_names = { lex_proxy = local.in["lambda/lex_proxy_log_group"] }
  log_retention_days     = var.log_retention_days

  tags = var.tags
}

################################################################################
# Athena: results bucket, workgroup with enforced encrypted results, named queries
################################################################################

module "athena_results" {
  source = "../../modules/s3"

  bucket        = "${local.name}-athena-${data.aws_caller_identity.current.account_id}-${data.aws_region.current.id}"
  kms_key_arn   = local.kms_key_arn
  force_destroy = true
  logging       = { target_bucket = local.in["s3/logs_bucket_name"] }
  lifecycle_rules = [{
    id                                 = "expire-results"
    expiration_days                    = var.athena_results_expiration_days
    noncurrent_version_expiration_days = 1
  }]

  tags = var.tags
}

module "athena" {
  source = "../../modules/athena"

  name                           = local.name
  results_bucket_name            = module.athena_results.s3_bucket_id
  kms_key_arn                    = local.kms_key_arn
  bytes_scanned_cutoff_per_query = var.athena_bytes_scanned_cutoff
  create_named_queries           = var.athena_named_queries
  queries_dir                    = local.queries_dir
  database_name                  = module.glue.glue_catalog_database_name

  tags = var.tags
}

################################################################################
# DMS: RDS PostgreSQL → lake (dms/), full load + change data capture
################################################################################

module "dms_iam" {
  source = "../../modules/iam"

  name_prefix              = local.name
  create_dms_roles         = var.create_dms
  create_dms_service_roles = var.create_dms_service_roles
  dms = {
    s3_bucket_arn = local.in["s3/lake_bucket_arn"]
    s3_prefix     = "dms/"
    secret_arns   = [local.dms_source_secret_arn]
    kms_key_arns  = [local.kms_key_arn]
  }

  tags = var.tags
}

# DMS reads the source connection from its own secret (written by the deploy step for a
# replication user), and looks up dms-vpc-role by name when it creates the subnet group.
module "dms" {
  source = "../../modules/dms"

  create                        = var.create_dms
  name                          = local.name
  mode                          = var.dms_mode
  vpc_id                        = local.vpc_id
  subnet_ids                    = local.private_subnet_ids
  security_group_ids            = [local.in["rds/client_security_group_id"]]
  source_database_name          = local.in["rds/db_name"]
  source_secret_access_role_arn = coalesce(module.dms_iam.dms_secrets_access_role_arn, "none")
  target_bucket_name            = local.lake_bucket_name
  target_prefix                 = "dms/"
  target_access_role_arn        = coalesce(module.dms_iam.dms_s3_target_role_arn, "none")
  kms_key_arn                   = local.kms_key_arn
  multi_az                      = var.dms_multi_az
  start_replication             = var.dms_start_replication

  source_secret_recovery_window_days = var.dms_secret_recovery_window_days

  tags = var.tags

  depends_on = [module.dms_iam]
}

################################################################################
# Optional: Redshift Serverless over the lake, QuickSight over Athena
################################################################################

module "redshift" {
  source = "../../modules/redshift"

  create             = var.create_redshift
  name               = local.name
  vpc_id             = local.vpc_id
  subnet_ids         = local.private_subnet_ids
  base_capacity      = var.redshift_base_capacity
  lake_bucket_name   = local.lake_bucket_name
  glue_database_name = module.glue.glue_catalog_database_name
  kms_key_arn        = local.kms_key_arn

  tags = var.tags
}

module "quicksight" {
  source = "../../modules/quicksight"

  create                 = var.create_quicksight
  name                   = local.name
  athena_workgroup_name  = module.athena.athena_workgroup_name
  glue_database_name     = module.glue.glue_catalog_database_name
  chat_events_table_name = module.glue.glue_catalog_table_name
  queries_dir            = local.queries_dir
  owner_principal_arns   = var.quicksight_owner_arns

  tags = var.tags
}
