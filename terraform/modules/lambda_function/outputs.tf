output "lambda_function_arn" {
  description = "ARN of the function."
  value       = try(aws_lambda_function.this[0].arn, null)
}

output "lambda_function_name" {
  description = "Name of the function."
  value       = try(aws_lambda_function.this[0].function_name, null)
}

output "lambda_function_invoke_arn" {
  description = "Invoke ARN of the function (for API Gateway integrations)."
  value       = try(aws_lambda_function.this[0].invoke_arn, null)
}

output "lambda_function_version" {
  description = "Latest published version of the function ($LATEST when not published)."
  value       = try(aws_lambda_function.this[0].version, null)
}

output "cloudwatch_log_group_name" {
  description = "Name of the function's log group."
  value       = try(aws_cloudwatch_log_group.this[0].name, null)
}

output "security_group_id" {
  description = "ID of the function's security group, when it runs in the VPC."
  value       = try(aws_security_group.this[0].id, null)
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = try(aws_sqs_queue.dlq[0].arn, null)
}

output "alarm_arns" {
  description = "ARNs of the function's alarms."
  value       = concat(aws_cloudwatch_metric_alarm.errors[*].arn, aws_cloudwatch_metric_alarm.throttles[*].arn, aws_cloudwatch_metric_alarm.dlq[*].arn)
}

output "dlq_name" {
  description = "Name of the dead-letter queue."
  value       = try(aws_sqs_queue.dlq[0].name, null)
}
