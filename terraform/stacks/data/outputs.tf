output "db_host" {
  description = "Where clients connect (the proxy when there is one)."
  value       = module.rds.db_host
}

output "db_instance_identifier" {
  description = "Identifier of the DB instance."
  value       = module.rds.db_instance_identifier
}

output "db_master_user_secret_arn" {
  description = "ARN of the RDS-managed secret with the master credentials (JSON keys username, password)."
  value       = module.rds.db_instance_master_user_secret_arn
}

output "db_client_security_group_id" {
  description = "Security group that database clients attach."
  value       = module.rds.db_client_security_group_id
}

output "ssm_parameter_names" {
  description = "SSM parameters this stack writes."
  value       = [for p in aws_ssm_parameter.out : p.name]
}
