output "sns_topic_arn" {
  description = "ARN of the alarm topic."
  value       = local.topic_arn
}

output "cloudwatch_dashboard_name" {
  description = "Name of the dashboard."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null)
}

output "cloudwatch_dashboard_arn" {
  description = "ARN of the dashboard."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_arn, null)
}

output "cloudwatch_metric_alarm_names" {
  description = "Names of all alarms."
  value = concat(
    aws_cloudwatch_metric_alarm.api_5xx[*].alarm_name,
    aws_cloudwatch_metric_alarm.api_latency[*].alarm_name,
    [for a in aws_cloudwatch_metric_alarm.lambda_errors : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.lambda_throttles : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.dlq : a.alarm_name],
    aws_cloudwatch_metric_alarm.lex_missed_utterances[*].alarm_name,
    aws_cloudwatch_metric_alarm.alb_5xx[*].alarm_name,
    aws_cloudwatch_metric_alarm.alb_unhealthy[*].alarm_name,
    aws_cloudwatch_metric_alarm.rds_cpu[*].alarm_name,
    aws_cloudwatch_metric_alarm.rds_storage[*].alarm_name,
    aws_cloudwatch_metric_alarm.rds_connections[*].alarm_name,
  )
}
