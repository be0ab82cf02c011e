output "firehose_delivery_stream_arn" {
  description = "ARN of the delivery stream."
  value       = try(aws_kinesis_firehose_delivery_stream.this[0].arn, null)
}

output "firehose_delivery_stream_name" {
  description = "Name of the delivery stream."
  value       = try(aws_kinesis_firehose_delivery_stream.this[0].name, null)
}

output "iam_role_arn" {
  description = "ARN of the role the delivery stream writes with."
  value       = try(aws_iam_role.firehose[0].arn, null)
}

output "cloudwatch_log_subscription_filter_names" {
  description = "Names of the subscription filters by key."
  value       = { for k, v in aws_cloudwatch_log_subscription_filter.this : k => v.name }
}

output "cloudwatch_log_group_name" {
  description = "Name of the delivery error log group."
  value       = try(aws_cloudwatch_log_group.this[0].name, null)
}
