data "aws_region" "current" {}

locals {
  region        = data.aws_region.current.id
  topic_arn     = var.create_sns_topic ? try(aws_sns_topic.this[0].arn, null) : var.alarm_topic_arn
  alarm_actions = local.topic_arn != null ? [local.topic_arn] : []

  lex_dimensions = var.lex == null ? {} : {
    BotId      = var.lex.bot_id
    BotAliasId = var.lex.bot_alias_id
    BotLocale  = var.lex.locale_id
    Operation  = "RecognizeText"
    InputMode  = "Text"
  }
}

################################################################################
# Alarm topic (KMS-encrypted; CloudWatch must be allowed to use the key)
################################################################################

resource "aws_sns_topic" "this" {
  count = var.create_sns_topic ? 1 : 0

  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn

  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = var.create_sns_topic ? toset(var.alarm_email_addresses) : toset([])

  topic_arn = aws_sns_topic.this[0].arn
  protocol  = "email"
  endpoint  = each.value
}

################################################################################
# API Gateway: 5xx and latency
################################################################################

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  count = var.api != null ? 1 : 0

  alarm_name          = "${var.name}-api-5xx"
  alarm_description   = "POST /chat returned 5xx responses."
  namespace           = "AWS/ApiGateway"
  metric_name         = "5XXError"
  dimensions          = { ApiName = var.api.name, Stage = var.api.stage }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.api_5xx_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_latency" {
  count = var.api != null ? 1 : 0

  alarm_name          = "${var.name}-api-latency-p90"
  alarm_description   = "p90 latency of POST /chat is above ${var.api_latency_p90_ms} ms."
  namespace           = "AWS/ApiGateway"
  metric_name         = "Latency"
  dimensions          = { ApiName = var.api.name, Stage = var.api.stage }
  extended_statistic  = "p90"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = var.api_latency_p90_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

################################################################################
# Lambda: errors and throttles of every function, DLQ depth
################################################################################

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = var.lambda_function_names

  alarm_name          = "${var.name}-lambda-${each.key}-errors"
  alarm_description   = "Lambda ${each.value} returned errors."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.lambda_errors_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each = var.lambda_function_names

  alarm_name          = "${var.name}-lambda-${each.key}-throttles"
  alarm_description   = "Lambda ${each.value} was throttled."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq" {
  for_each = var.dlq_names

  alarm_name          = "${var.name}-dlq-${each.key}"
  alarm_description   = "Failed asynchronous invocations wait in ${each.value}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

################################################################################
# Lex: missed utterances (turns that fell back for lack of a matching intent)
################################################################################

resource "aws_cloudwatch_metric_alarm" "lex_missed_utterances" {
  count = var.lex != null ? 1 : 0

  alarm_name          = "${var.name}-lex-missed-utterances"
  alarm_description   = "Many utterances matched no intent in the last hour: the definition may need new utterances."
  namespace           = "AWS/Lex"
  metric_name         = "MissedUtteranceCount"
  dimensions          = local.lex_dimensions
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = var.lex_missed_utterances_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

################################################################################
# ALB / ECS: target 5xx and unhealthy targets
################################################################################

resource "aws_cloudwatch_metric_alarm" "alb_5xx" {
  count = var.alb != null ? 1 : 0

  alarm_name          = "${var.name}-api-targets-5xx"
  alarm_description   = "The API containers returned 5xx responses."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_Target_5XX_Count"
  dimensions          = { LoadBalancer = var.alb.arn_suffix, TargetGroup = var.alb.target_group_arn_suffix }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.alb_5xx_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "alb_unhealthy" {
  count = var.alb != null ? 1 : 0

  alarm_name          = "${var.name}-api-unhealthy-targets"
  alarm_description   = "API containers fail the /healthz check."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = var.alb.arn_suffix, TargetGroup = var.alb.target_group_arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

################################################################################
# RDS: CPU, free storage, connections
################################################################################

resource "aws_cloudwatch_metric_alarm" "rds_cpu" {
  count = var.rds != null ? 1 : 0

  alarm_name          = "${var.name}-rds-cpu"
  alarm_description   = "Database CPU above ${var.rds_cpu_percent}%."
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = var.rds.instance_id }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.rds_cpu_percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_storage" {
  count = var.rds != null ? 1 : 0

  alarm_name          = "${var.name}-rds-free-storage"
  alarm_description   = "Database free storage below ${var.rds_free_storage_bytes} bytes."
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = var.rds.instance_id }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.rds_free_storage_bytes
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_connections" {
  count = var.rds != null ? 1 : 0

  alarm_name          = "${var.name}-rds-connections"
  alarm_description   = "Database connections above ${var.rds_connections_threshold}."
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnections"
  dimensions          = { DBInstanceIdentifier = var.rds.instance_id }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.rds_connections_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

################################################################################
# Dashboard: the chain from API Gateway to the database
################################################################################

# Each group is rendered to JSON on its own: conditionals over strings avoid HCL's
# "inconsistent conditional result types" between an empty tuple and a tuple of widgets.
locals {
  widget_groups = [
    var.api == null ? "" : jsonencode([
      {
        type = "metric", width = 12, height = 6
        properties = {
          title  = "API Gateway: requests and errors"
          region = local.region
          stat   = "Sum"
          period = 300
          metrics = [
            ["AWS/ApiGateway", "Count", "ApiName", var.api.name, "Stage", var.api.stage],
            [".", "4XXError", ".", ".", ".", "."],
            [".", "5XXError", ".", ".", ".", "."],
          ]
        }
      },
      {
        type = "metric", width = 12, height = 6
        properties = {
          title  = "API Gateway: latency"
          region = local.region
          period = 300
          metrics = [
            ["AWS/ApiGateway", "Latency", "ApiName", var.api.name, "Stage", var.api.stage, { stat = "p50" }],
            ["...", { stat = "p90" }],
            [".", "IntegrationLatency", ".", ".", ".", ".", { stat = "p90" }],
          ]
        }
      },
    ]),
    length(var.lambda_function_names) == 0 ? "" : jsonencode([
      {
        type = "metric", width = 12, height = 6
        properties = {
          title   = "Lambda: errors and throttles"
          region  = local.region
          stat    = "Sum"
          period  = 300
          metrics = flatten([for k, fn in var.lambda_function_names : [["AWS/Lambda", "Errors", "FunctionName", fn], ["AWS/Lambda", "Throttles", "FunctionName", fn]]])
        }
      },
      {
        type = "metric", width = 12, height = 6
        properties = {
          title   = "Lambda: duration p90"
          region  = local.region
          stat    = "p90"
          period  = 300
          metrics = [for k, fn in var.lambda_function_names : ["AWS/Lambda", "Duration", "FunctionName", fn]]
        }
      },
    ]),
    var.lex == null ? "" : jsonencode([
      {
        type = "metric", width = 12, height = 6
        properties = {
          title  = "Lex: requests and missed utterances"
          region = local.region
          stat   = "Sum"
          period = 300
          metrics = [
            ["AWS/Lex", "RuntimeRequestCount", "BotId", var.lex.bot_id, "BotAliasId", var.lex.bot_alias_id, "BotLocale", var.lex.locale_id, "Operation", "RecognizeText", "InputMode", "Text"],
            [".", "MissedUtteranceCount", ".", ".", ".", ".", ".", ".", ".", ".", ".", "."],
          ]
        }
      },
    ]),
    var.alb == null ? "" : jsonencode([
      {
        type = "metric", width = 12, height = 6
        properties = {
          title  = "API containers (internal ALB)"
          region = local.region
          period = 300
          metrics = [
            ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", var.alb.arn_suffix, "TargetGroup", var.alb.target_group_arn_suffix, { stat = "Sum" }],
            [".", "HTTPCode_Target_5XX_Count", ".", ".", ".", ".", { stat = "Sum" }],
            [".", "TargetResponseTime", ".", ".", ".", ".", { stat = "p90", yAxis = "right" }],
          ]
        }
      },
    ]),
    var.ecs == null ? "" : jsonencode([
      {
        type = "metric", width = 12, height = 6
        properties = {
          title  = "ECS service: CPU and memory"
          region = local.region
          stat   = "Average"
          period = 300
          metrics = [
            ["AWS/ECS", "CPUUtilization", "ClusterName", var.ecs.cluster_name, "ServiceName", var.ecs.service_name],
            [".", "MemoryUtilization", ".", ".", ".", "."],
          ]
        }
      },
    ]),
    var.rds == null ? "" : jsonencode([
      {
        type = "metric", width = 12, height = 6
        properties = {
          title  = "RDS: CPU and connections"
          region = local.region
          period = 300
          metrics = [
            ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", var.rds.instance_id, { stat = "Average" }],
            [".", "DatabaseConnections", ".", ".", { stat = "Maximum", yAxis = "right" }],
          ]
        }
      },
      {
        type = "metric", width = 12, height = 6
        properties = {
          title   = "RDS: free storage"
          region  = local.region
          period  = 300
          stat    = "Minimum"
          metrics = [["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", var.rds.instance_id]]
        }
      },
    ]),
  ]

  # "[a,b]" + "[c]" -> "a,b,c": strip each group's brackets and join.
  dashboard_body = "{\"widgets\":[${join(",", [for g in local.widget_groups : trimsuffix(trimprefix(g, "["), "]") if g != ""])}]}"
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.create_dashboard ? 1 : 0

  dashboard_name = var.name
  dashboard_body = local.dashboard_body
}
