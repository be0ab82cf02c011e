data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# The regional Elastic Load Balancing account (e.g. 127311923021 in us-east-1): regions opened before
# August 2022 deliver ALB access logs as this account, not as the log delivery service principal.
data "aws_elb_service_account" "this" {
  count = local.create_bucket && var.attach_lb_log_delivery_policy && var.lb_log_delivery_elb_account ? 1 : 0
}

locals {
  create_bucket = var.create_bucket
  bucket_id     = local.create_bucket ? try(aws_s3_bucket.this[0].id, null) : var.bucket
  bucket_arn    = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket}"
  kms           = var.kms_key_arn != null
  notify        = length(var.lambda_notifications) > 0
}

################################################################################
# Bucket
################################################################################

resource "aws_s3_bucket" "this" {
  count = local.create_bucket ? 1 : 0

  bucket        = var.bucket
  force_destroy = var.force_destroy

  tags = merge(var.tags, { Name = var.bucket })

  lifecycle {
    # checkov:skip=CKV2_AWS_62:Notifications are set per bucket through lambda_notifications (the docs bucket's by the app stack, on create_bucket = false); the log, lake and results buckets have no event consumer.
    # checkov:skip=CKV_AWS_144:Cross-region replication is a disaster-recovery decision per bucket; the data is rebuildable from RDS and uploads.
  }
}

resource "aws_s3_bucket_ownership_controls" "this" {
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  count = local.create_bucket ? 1 : 0

  bucket                  = aws_s3_bucket.this[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  versioning_configuration {
    status = var.versioning_enabled ? "Enabled" : "Suspended"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = local.kms ? "aws:kms" : "AES256"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = local.kms
  }
}

# The first rule covers the whole bucket (empty prefix) and aborts incomplete multipart
# uploads; the rules of lifecycle_rules follow, each aborting them under its prefix too.
resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {
      prefix = ""
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }
  }

  dynamic "rule" {
    for_each = var.lifecycle_rules

    content {
      id     = rule.value.id
      status = "Enabled"

      filter {
        prefix = rule.value.prefix
      }

      abort_incomplete_multipart_upload {
        days_after_initiation = var.abort_incomplete_multipart_upload_days
      }

      dynamic "expiration" {
        for_each = rule.value.expiration_days != null ? [rule.value.expiration_days] : []

        content {
          days = expiration.value
        }
      }

      dynamic "transition" {
        for_each = rule.value.transitions

        content {
          days          = transition.value.days
          storage_class = transition.value.storage_class
        }
      }

      dynamic "noncurrent_version_expiration" {
        for_each = rule.value.noncurrent_version_expiration_days != null ? [rule.value.noncurrent_version_expiration_days] : []

        content {
          noncurrent_days = noncurrent_version_expiration.value
        }
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# Keys: <prefix><account>/<region>/<source bucket>/<yyyy>/<mm>/<dd>/...: one prefix, per-bucket folders.
resource "aws_s3_bucket_logging" "this" {
  count = local.create_bucket && var.logging != null ? 1 : 0

  bucket        = aws_s3_bucket.this[0].id
  target_bucket = var.logging.target_bucket
  target_prefix = coalesce(var.logging.target_prefix, "s3/")

  target_object_key_format {
    partitioned_prefix {
      partition_date_source = "EventTime"
    }
  }
}

################################################################################
# Bucket policy: TLS only, plus the log-delivery grants a log bucket needs
################################################################################

data "aws_iam_policy_document" "this" {
  count = local.create_bucket ? 1 : 0

  source_policy_documents = var.policy_json != null ? [var.policy_json] : []

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      local.bucket_arn,
      "${local.bucket_arn}/*",
    ]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid     = "DenyOutdatedTLS"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      local.bucket_arn,
      "${local.bucket_arn}/*",
    ]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }

  dynamic "statement" {
    for_each = var.attach_access_log_delivery_policy ? [1] : []

    content {
      sid       = "S3ServerAccessLogDelivery"
      actions   = ["s3:PutObject"]
      resources = ["${local.bucket_arn}/s3/*"]

      principals {
        type        = "Service"
        identifiers = ["logging.s3.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [data.aws_caller_identity.current.account_id]
      }
    }
  }

  # Regions opened in or after August 2022: the log delivery service principal.
  dynamic "statement" {
    for_each = var.attach_lb_log_delivery_policy ? [1] : []

    content {
      sid       = "ElbAccessLogDelivery"
      actions   = ["s3:PutObject"]
      resources = ["${local.bucket_arn}/alb/AWSLogs/${data.aws_caller_identity.current.account_id}/*"]

      principals {
        type        = "Service"
        identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
      }
    }
  }

  # Regions opened before August 2022 (us-east-1, us-west-2, eu-west-1, ...): the regional ELB account.
  dynamic "statement" {
    for_each = data.aws_elb_service_account.this

    content {
      sid       = "ElbAccountAccessLogDelivery"
      actions   = ["s3:PutObject"]
      resources = ["${local.bucket_arn}/alb/AWSLogs/${data.aws_caller_identity.current.account_id}/*"]

      principals {
        type        = "AWS"
        identifiers = [statement.value.arn]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  policy = data.aws_iam_policy_document.this[0].json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

################################################################################
# Event notifications to Lambda (also usable on an existing bucket: create_bucket = false)
################################################################################

resource "aws_lambda_permission" "this" {
  for_each = { for n in var.lambda_notifications : n.id => n }

  statement_id   = "AllowS3-${replace(var.bucket, ".", "-")}-${each.key}"
  action         = "lambda:InvokeFunction"
  function_name  = each.value.function_arn
  principal      = "s3.amazonaws.com"
  source_arn     = local.bucket_arn
  source_account = data.aws_caller_identity.current.account_id
}

resource "aws_s3_bucket_notification" "this" {
  count = local.notify ? 1 : 0

  bucket = local.bucket_id

  dynamic "lambda_function" {
    for_each = var.lambda_notifications

    content {
      id                  = lambda_function.value.id
      lambda_function_arn = lambda_function.value.function_arn
      events              = lambda_function.value.events
      filter_prefix       = lambda_function.value.filter_prefix
      filter_suffix       = lambda_function.value.filter_suffix
    }
  }

  depends_on = [aws_lambda_permission.this, aws_s3_bucket_policy.this]
}
