output "quicksight_data_source_arn" {
  description = "ARN of the Athena data source."
  value       = try(aws_quicksight_data_source.athena[0].arn, null)
}

output "quicksight_data_set_arn" {
  description = "ARN of the chat events data set."
  value       = try(aws_quicksight_data_set.chat_events[0].arn, null)
}

output "quicksight_data_set_id" {
  description = "ID of the chat events data set."
  value       = try(aws_quicksight_data_set.chat_events[0].data_set_id, null)
}

output "quicksight_analysis_arn" {
  description = "ARN of the analysis (one visual per named query), when created."
  value       = try(aws_quicksight_analysis.this[0].arn, null)
}

output "quicksight_dashboard_id" {
  description = "ID of the dashboard published from the analysis, when created."
  value       = try(aws_quicksight_dashboard.this[0].dashboard_id, null)
}

output "quicksight_dashboard_arn" {
  description = "ARN of the dashboard, when created."
  value       = try(aws_quicksight_dashboard.this[0].arn, null)
}
