data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  name      = "campusbot-${var.env}"
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.id
  partition = data.aws_partition.current.partition
  suffix    = "${local.account}-${local.region}"

  default_tags = merge(var.tags, {
    Project     = "campusbot"
    Environment = var.env
    Stack       = "foundation"
    ManagedBy   = "terraform"
  })
}

################################################################################
# Platform KMS key: S3, logs, RDS, Secrets Manager, ECR, SQS, SNS, Lambda environment
################################################################################

resource "aws_kms_key" "this" {
  description             = "campusbot ${var.env}: data at rest"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersThroughIam"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsEncryptsLogGroups"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:*" }
        }
      },
      {
        Sid       = "CloudWatchAlarmsPublishToEncryptedTopics"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account }
        }
      },
    ]
  })

  tags = { Name = local.name }
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.this.key_id
}

################################################################################
# Network
################################################################################

module "network" {
  source = "../../modules/network"

  name                    = local.name
  cidr                    = var.vpc_cidr
  az_count                = var.az_count
  single_nat_gateway      = var.single_nat_gateway
  interface_endpoints     = var.interface_endpoints
  flow_log_kms_key_arn    = aws_kms_key.this.arn
  flow_log_retention_days = var.log_retention_days

  tags = var.tags
}

################################################################################
# Buckets: logs (SSE-S3, the only encryption S3 and ALB log delivery accept),
# documents and lake (SSE-KMS, access-logged to the log bucket)
################################################################################

module "logs_bucket" {
  source = "../../modules/s3"

  bucket                            = "${local.name}-logs-${local.suffix}"
  kms_key_arn                       = null
  force_destroy                     = var.force_destroy_buckets
  attach_access_log_delivery_policy = true
  attach_lb_log_delivery_policy     = true
  lifecycle_rules = [{
    id                                 = "expire-logs"
    expiration_days                    = var.log_bucket_expiration_days
    noncurrent_version_expiration_days = 30
    transitions                        = [{ days = 30, storage_class = "STANDARD_IA" }]
  }]

  tags = var.tags
}

module "docs_bucket" {
  source = "../../modules/s3"

  bucket        = "${local.name}-docs-${local.suffix}"
  kms_key_arn   = aws_kms_key.this.arn
  force_destroy = var.force_destroy_buckets
  logging       = { target_bucket = module.logs_bucket.s3_bucket_id }

  tags = var.tags
}

module "lake_bucket" {
  source = "../../modules/s3"

  bucket        = "${local.name}-lake-${local.suffix}"
  kms_key_arn   = aws_kms_key.this.arn
  force_destroy = var.force_destroy_buckets
  logging       = { target_bucket = module.logs_bucket.s3_bucket_id }
  lifecycle_rules = [
    {
      id                                 = "noncurrent-versions"
      noncurrent_version_expiration_days = 30
    },
    {
      id          = "chat-events-to-infrequent-access"
      prefix      = "chat-events/"
      transitions = [{ days = 90, storage_class = "STANDARD_IA" }]
    },
  ]

  tags = var.tags
}

################################################################################
# Image repository of the API
################################################################################

module "ecr" {
  source = "../../modules/ecr"

  name         = "${local.name}/api"
  kms_key_arn  = aws_kms_key.this.arn
  force_delete = var.ecr_force_delete

  tags = var.tags
}

################################################################################
# Scalr: OIDC role for plan/apply
################################################################################

module "iam" {
  source = "../../modules/iam"

  name_prefix                = local.name
  create_scalr_oidc_role     = var.create_scalr_oidc_role
  create_scalr_oidc_provider = var.create_scalr_oidc_provider
  scalr_oidc_provider_arn    = var.scalr_oidc_provider_arn
  scalr_audience             = var.scalr_audience
  scalr_subjects             = var.scalr_subjects

  tags = var.tags
}
