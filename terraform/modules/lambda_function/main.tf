locals {
  create     = var.create
  in_vpc     = length(var.subnet_ids) > 0
  create_sg  = local.create && local.in_vpc && var.create_security_group
  create_dlq = local.create && var.create_dlq
  log_group  = "/aws/lambda/${var.function_name}"
  alarms     = local.create && var.create_alarms
}

################################################################################
# Log group (created before the function so Lambda never creates an unmanaged one)
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  count = local.create ? 1 : 0

  name              = local.log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

################################################################################
# Dead-letter queue for failed asynchronous invocations
################################################################################

resource "aws_sqs_queue" "dlq" {
  count = local.create_dlq ? 1 : 0

  name                              = "${var.function_name}-dlq"
  message_retention_seconds         = 1209600
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn != null ? 3600 : null
  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null

  tags = var.tags
}

################################################################################
# Security group (when the function runs in the VPC)
################################################################################

resource "aws_security_group" "this" {
  count = local.create_sg ? 1 : 0

  name        = "${var.function_name}-lambda"
  description = "Lambda ${var.function_name}: egress only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.function_name}-lambda" })
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each = local.create_sg ? var.egress_rules : {}

  security_group_id            = aws_security_group.this[0].id
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  cidr_ipv4                    = each.value.cidr_ipv4
  referenced_security_group_id = each.value.security_group_id

  tags = var.tags
}

################################################################################
# Function
################################################################################

resource "aws_lambda_function" "this" {
  count = local.create ? 1 : 0

  function_name    = var.function_name
  description      = var.description
  role             = var.role_arn
  handler          = var.handler
  runtime          = var.runtime
  architectures    = [var.architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout
  filename         = var.artifact_path
  s3_bucket        = var.artifact_s3_bucket
  s3_key           = var.artifact_s3_key
  source_code_hash = var.source_code_hash
  kms_key_arn      = var.kms_key_arn
  layers           = var.layers

  reserved_concurrent_executions = var.reserved_concurrent_executions
  code_signing_config_arn        = var.code_signing_config_arn

  environment {
    variables = var.environment_variables
  }

  tracing_config {
    mode = var.tracing_mode
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this[0].name
    application_log_level = var.application_log_level
    system_log_level      = "WARN"
  }

  dynamic "dead_letter_config" {
    for_each = local.create_dlq ? [1] : []

    content {
      target_arn = aws_sqs_queue.dlq[0].arn
    }
  }

  dynamic "vpc_config" {
    for_each = local.in_vpc ? [1] : []

    content {
      subnet_ids         = var.subnet_ids
      security_group_ids = concat(aws_security_group.this[*].id, var.security_group_ids)
    }
  }

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.this]
}

################################################################################
# Alarms: errors, throttles, DLQ depth
################################################################################

resource "aws_cloudwatch_metric_alarm" "errors" {
  count = local.alarms ? 1 : 0

  alarm_name          = "${var.function_name}-errors"
  alarm_description   = "Lambda ${var.function_name} returned errors."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this[0].function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.errors_alarm_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "throttles" {
  count = local.alarms ? 1 : 0

  alarm_name          = "${var.function_name}-throttles"
  alarm_description   = "Lambda ${var.function_name} was throttled."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = aws_lambda_function.this[0].function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq" {
  count = local.alarms && local.create_dlq ? 1 : 0

  alarm_name          = "${var.function_name}-dlq-not-empty"
  alarm_description   = "Failed asynchronous invocations of ${var.function_name} are waiting in its DLQ."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq[0].name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions

  tags = var.tags
}
