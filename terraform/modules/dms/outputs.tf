output "dms_replication_config_arn" {
  description = "ARN of the serverless replication config."
  value       = try(aws_dms_replication_config.this[0].arn, null)
}

output "dms_replication_instance_arn" {
  description = "ARN of the replication instance."
  value       = try(aws_dms_replication_instance.this[0].replication_instance_arn, null)
}

output "dms_replication_task_arn" {
  description = "ARN of the replication task."
  value       = try(aws_dms_replication_task.this[0].replication_task_arn, null)
}

output "dms_source_endpoint_arn" {
  description = "ARN of the PostgreSQL source endpoint."
  value       = try(aws_dms_endpoint.source[0].endpoint_arn, null)
}

output "dms_target_endpoint_arn" {
  description = "ARN of the S3 target endpoint."
  value       = try(aws_dms_s3_endpoint.target[0].endpoint_arn, null)
}

output "dms_security_group_id" {
  description = "ID of the replication's security group."
  value       = try(aws_security_group.this[0].id, null)
}

output "source_secret_arn" {
  description = "ARN of the secret DMS reads the source connection from (the deploy step writes its value)."
  value       = local.source_secret_arn
}
