data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  create    = var.create
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.id
  account   = data.aws_caller_identity.current.account_id
  log_group = "/aws/kinesisfirehose/${var.name}"
}

################################################################################
# Delivery errors are logged
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  count = local.create ? 1 : 0

  name              = local.log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

resource "aws_cloudwatch_log_stream" "s3" {
  count = local.create ? 1 : 0

  name           = "S3Delivery"
  log_group_name = aws_cloudwatch_log_group.this[0].name
}

################################################################################
# Role of the delivery stream: write its prefixes of the bucket, its error log
################################################################################

data "aws_iam_policy_document" "firehose_assume" {
  count = local.create ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["firehose.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

data "aws_iam_policy_document" "firehose" {
  count = local.create ? 1 : 0

  statement {
    sid       = "Bucket"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
    resources = [var.bucket_arn]
  }

  statement {
    sid       = "WritePrefixes"
    actions   = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]
    resources = ["${var.bucket_arn}/${split("!", var.prefix)[0]}*", "${var.bucket_arn}/${split("!", var.error_output_prefix)[0]}*"]
  }

  statement {
    sid       = "EncryptObjects"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "ErrorLog"
    actions   = ["logs:PutLogEvents"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account}:log-group:${local.log_group}:*"]
  }
}

resource "aws_iam_role" "firehose" {
  count = local.create ? 1 : 0

  name               = "${var.name}-firehose"
  assume_role_policy = data.aws_iam_policy_document.firehose_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "firehose" {
  count = local.create ? 1 : 0

  name   = "deliver"
  role   = aws_iam_role.firehose[0].id
  policy = data.aws_iam_policy_document.firehose[0].json
}

################################################################################
# Delivery stream: CloudWatch Logs records are decompressed, the log messages extracted
# and newline-delimited, then written under the day of arrival (UTC)
################################################################################

resource "aws_kinesis_firehose_delivery_stream" "this" {
  count = local.create ? 1 : 0

  name        = var.name
  destination = "extended_s3"

  server_side_encryption {
    enabled  = true
    key_type = "CUSTOMER_MANAGED_CMK"
    key_arn  = var.kms_key_arn
  }

  extended_s3_configuration {
    role_arn            = aws_iam_role.firehose[0].arn
    bucket_arn          = var.bucket_arn
    prefix              = var.prefix
    error_output_prefix = var.error_output_prefix
    buffering_size      = var.buffering_size_mb
    buffering_interval  = var.buffering_interval_seconds
    compression_format  = var.compression_format
    kms_key_arn         = var.kms_key_arn

    cloudwatch_logging_options {
      enabled         = true
      log_group_name  = aws_cloudwatch_log_group.this[0].name
      log_stream_name = aws_cloudwatch_log_stream.s3[0].name
    }

    processing_configuration {
      enabled = true

      processors {
        type = "Decompression"

        parameters {
          parameter_name  = "CompressionFormat"
          parameter_value = "GZIP"
        }
      }

      processors {
        type = "CloudWatchLogProcessing"

        parameters {
          parameter_name  = "DataMessageExtraction"
          parameter_value = "true"
        }
      }

      processors {
        type = "AppendDelimiterToRecord"
      }
    }
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.firehose]
}

################################################################################
# Subscription filters: the source log groups' matching lines go to the stream
################################################################################

data "aws_iam_policy_document" "logs_assume" {
  count = local.create ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account}:*"]
    }
  }
}

data "aws_iam_policy_document" "logs" {
  count = local.create ? 1 : 0

  statement {
    sid       = "PutRecords"
    actions   = ["firehose:PutRecord", "firehose:PutRecordBatch"]
    resources = [aws_kinesis_firehose_delivery_stream.this[0].arn]
  }
}

resource "aws_iam_role" "logs" {
  count = local.create ? 1 : 0

  name               = "${var.name}-logs-to-firehose"
  assume_role_policy = data.aws_iam_policy_document.logs_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "logs" {
  count = local.create ? 1 : 0

  name   = "put-records"
  role   = aws_iam_role.logs[0].id
  policy = data.aws_iam_policy_document.logs[0].json
}

resource "aws_cloudwatch_log_subscription_filter" "this" {
  for_each = local.create ? var.source_log_group_names : {}

  name            = "${var.name}-${each.key}"
  log_group_name  = each.value
  filter_pattern  = var.filter_pattern
  destination_arn = aws_kinesis_firehose_delivery_stream.this[0].arn
  role_arn        = aws_iam_role.logs[0].arn

  depends_on = [aws_iam_role_policy.logs]
}
