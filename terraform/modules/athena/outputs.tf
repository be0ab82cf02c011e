output "athena_workgroup_name" {
  description = "Name of the workgroup."
  value       = try(aws_athena_workgroup.this[0].name, null)
}

output "athena_workgroup_arn" {
  description = "ARN of the workgroup."
  value       = try(aws_athena_workgroup.this[0].arn, null)
}

output "athena_named_query_ids" {
  description = "IDs of the named queries by name."
  value       = { for k, v in aws_athena_named_query.this : k => v.id }
}

output "athena_results_location" {
  description = "S3 location of the query results."
  value       = "s3://${var.results_bucket_name}/${var.results_prefix}"
}
