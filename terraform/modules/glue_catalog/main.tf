data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  create      = var.create
  partition   = data.aws_partition.current.partition
  region      = data.aws_region.current.id
  account     = data.aws_caller_identity.current.account_id
  crawler     = local.create && var.create_dms_crawler
  catalog_arn = "arn:${local.partition}:glue:${local.region}:${local.account}"
  lake_arn    = "arn:${local.partition}:s3:::${var.lake_bucket_name}"
  chat_columns = [
    { name = "event_id", type = "string", comment = "Unique id of the chat turn" },
    { name = "occurred_at", type = "string", comment = "ISO-8601 UTC timestamp of the turn" },
    { name = "session_id", type = "string", comment = "Conversation session" },
    { name = "env", type = "string", comment = "Deployment environment" },
    { name = "channel", type = "string", comment = "Client channel (web, app, cli)" },
    { name = "intent", type = "string", comment = "Intent Lex recognised" },
    { name = "nlu_confidence", type = "double", comment = "NLU confidence of the intent (0..1)" },
    { name = "state", type = "string", comment = "Dialog state after the turn" },
    { name = "answer_source", type = "string", comment = "database | documents | general | none" },
    { name = "slots", type = "string", comment = "Slot values as a JSON object" },
    { name = "message_chars", type = "int", comment = "Length of the user's message" },
    { name = "latency_ms", type = "int", comment = "End-to-end latency of the turn" },
    { name = "error", type = "string", comment = "Error message, empty when the turn succeeded" },
    { name = "kind", type = "string", comment = "turn | feedback (a thumbs up or down on an earlier turn)" },
    { name = "question", type = "string", comment = "Unanswered turns only: the message normalized, e-mails and long numbers masked" },
    { name = "sources", type = "string", comment = "Sources of the answer as a JSON list of {kind, id, title}" },
    { name = "rated_event_id", type = "string", comment = "Feedback: event_id of the rated turn" },
    { name = "rating", type = "int", comment = "Feedback: 1 thumbs up, -1 thumbs down" },
  ]
}

resource "aws_glue_catalog_database" "this" {
  count = local.create ? 1 : 0

  name        = var.database_name
  description = "campusbot lake: chat events and the DMS copy of the application database"

  tags = var.tags
}

################################################################################
# chat_events: JSON lines under chat-events/dt=YYYY-MM-DD/, partitions projected
# (no crawler and no MSCK REPAIR needed as days go by)
################################################################################

resource "aws_glue_catalog_table" "chat_events" {
  count = local.create ? 1 : 0

  name          = var.chat_events_table_name
  database_name = aws_glue_catalog_database.this[0].name
  description   = "One row per chat turn, logged by the lex_proxy Lambda and delivered by Firehose"
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    EXTERNAL                      = "TRUE"
    classification                = "json"
    "projection.enabled"          = "true"
    "projection.dt.type"          = "date"
    "projection.dt.format"        = "yyyy-MM-dd"
    "projection.dt.range"         = "${var.projection_start_date},NOW"
    "projection.dt.interval"      = "1"
    "projection.dt.interval.unit" = "DAYS"
    "storage.location.template"   = "s3://${var.lake_bucket_name}/${var.chat_events_prefix}dt=$${dt}/"
  }

  partition_keys {
    name    = "dt"
    type    = "string"
    comment = "Day of the turn (yyyy-MM-dd, UTC)"
  }

  storage_descriptor {
    location      = "s3://${var.lake_bucket_name}/${var.chat_events_prefix}"
    input_format  = "org.apache.hadoop.mapred.TextInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

    ser_de_info {
      name                  = "json"
      serialization_library = "org.openx.data.jsonserde.JsonSerDe"
      parameters = {
        "ignore.malformed.json" = "TRUE"
        "case.insensitive"      = "TRUE"
      }
    }

    dynamic "columns" {
      for_each = local.chat_columns

      content {
        name    = columns.value.name
        type    = columns.value.type
        comment = columns.value.comment
      }
    }
  }
}

################################################################################
# DMS output (Parquet under dms/<schema>/<table>/): a crawler keeps tables current
################################################################################

resource "aws_glue_security_configuration" "this" {
  count = local.crawler ? 1 : 0

  name = "${var.name_prefix}-glue"

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = var.kms_key_arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = var.kms_key_arn
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = var.kms_key_arn
    }
  }
}

data "aws_iam_policy_document" "crawler_assume" {
  count = local.crawler ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

data "aws_iam_policy_document" "crawler" {
  count = local.crawler ? 1 : 0

  statement {
    sid = "Catalog"
    actions = [
      "glue:BatchCreatePartition",
      "glue:BatchGetPartition",
      "glue:BatchUpdatePartition",
      "glue:CreatePartition",
      "glue:CreateTable",
      "glue:GetDatabase",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:GetTable",
      "glue:GetTables",
      "glue:UpdatePartition",
      "glue:UpdateTable",
    ]
    resources = [
      "${local.catalog_arn}:catalog",
      "${local.catalog_arn}:database/${var.database_name}",
      "${local.catalog_arn}:table/${var.database_name}/*",
    ]
  }

  statement {
    sid       = "ListDmsPrefix"
    actions   = ["s3:ListBucket"]
    resources = [local.lake_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.dms_prefix}*"]
    }
  }

  statement {
    sid       = "ReadDmsPrefix"
    actions   = ["s3:GetObject"]
    resources = ["${local.lake_arn}/${var.dms_prefix}*"]
  }

  statement {
    sid       = "DecryptLake"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid = "CrawlerLogs"
    actions = [
      "logs:AssociateKmsKey",
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account}:log-group:/aws-glue/*"]
  }
}

resource "aws_iam_role" "crawler" {
  count = local.crawler ? 1 : 0

  name               = "${var.name_prefix}-glue-crawler"
  assume_role_policy = data.aws_iam_policy_document.crawler_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "crawler" {
  count = local.crawler ? 1 : 0

  name   = "crawl-dms-output"
  role   = aws_iam_role.crawler[0].id
  policy = data.aws_iam_policy_document.crawler[0].json
}

resource "aws_glue_crawler" "dms" {
  count = local.crawler ? 1 : 0

  name                   = "${var.name_prefix}-dms"
  description            = "Tables of the DMS copy of the application database"
  database_name          = aws_glue_catalog_database.this[0].name
  role                   = aws_iam_role.crawler[0].arn
  table_prefix           = "dms_"
  schedule               = var.crawler_schedule
  security_configuration = aws_glue_security_configuration.this[0].name

  s3_target {
    path = "s3://${var.lake_bucket_name}/${var.dms_prefix}"
  }

  schema_change_policy {
    update_behavior = "UPDATE_IN_DATABASE"
    delete_behavior = "LOG"
  }

  recrawl_policy {
    recrawl_behavior = "CRAWL_EVERYTHING"
  }

  configuration = jsonencode({
    Version = 1
    Grouping = {
      TableLevelConfiguration = 3
    }
    CrawlerOutput = {
      Partitions = { AddOrUpdateBehavior = "InheritFromTable" }
    }
  })

  tags = var.tags

  depends_on = [aws_iam_role_policy.crawler]
}

################################################################################
# Optional: encrypt the whole Data Catalog (one setting per account and region)
################################################################################

resource "aws_glue_data_catalog_encryption_settings" "this" {
  count = local.create && var.create_catalog_encryption_settings ? 1 : 0

  data_catalog_encryption_settings {
    connection_password_encryption {
      return_connection_password_encrypted = true
      aws_kms_key_id                       = var.kms_key_arn
    }

    encryption_at_rest {
      catalog_encryption_mode = "SSE-KMS"
      sse_aws_kms_key_id      = var.kms_key_arn
    }
  }
}
