locals {
  create = var.create

  # One named query per *.sql file; its description is the file's "-- description:" line.
  query_files = local.create && var.create_named_queries ? fileset(var.queries_dir, "*.sql") : toset([])
  queries = {
    for f in local.query_files : trimsuffix(f, ".sql") => {
      sql         = file("${var.queries_dir}/${f}")
      description = try(trimspace(regex("(?m)^--\\s*description:\\s*(.+)$", file("${var.queries_dir}/${f}"))[0]), trimsuffix(f, ".sql"))
    }
  }
}

resource "aws_athena_workgroup" "this" {
  count = local.create ? 1 : 0

  name          = var.name
  description   = "campusbot analytics: chat events and DMS output in the lake"
  state         = "ENABLED"
  force_destroy = var.force_destroy

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location = "s3://${var.results_bucket_name}/${var.results_prefix}"

      encryption_configuration {
        encryption_option = var.kms_key_arn != null ? "SSE_KMS" : "SSE_S3"
        kms_key_arn       = var.kms_key_arn
      }
    }
  }

  tags = var.tags
}

resource "aws_athena_named_query" "this" {
  for_each = local.queries

  name        = each.key
  description = substr(each.value.description, 0, 1024)
  workgroup   = aws_athena_workgroup.this[0].id
  database    = var.database_name
  query       = each.value.sql
}
