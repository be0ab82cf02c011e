output "db_instance_identifier" {
  description = "Identifier of the DB instance."
  value       = try(aws_db_instance.this[0].identifier, null)
}

output "db_instance_arn" {
  description = "ARN of the DB instance."
  value       = try(aws_db_instance.this[0].arn, null)
}

output "db_instance_address" {
  description = "Host name of the DB instance."
  value       = try(aws_db_instance.this[0].address, null)
}

output "db_instance_port" {
  description = "Port of the DB instance."
  value       = try(aws_db_instance.this[0].port, null)
}

output "db_instance_name" {
  description = "Name of the application database."
  value       = try(aws_db_instance.this[0].db_name, null)
}

output "db_instance_resource_id" {
  description = "Resource ID of the DB instance (for IAM database authentication policies)."
  value       = try(aws_db_instance.this[0].resource_id, null)
}

output "db_instance_master_user_secret_arn" {
  description = "ARN of the RDS-managed Secrets Manager secret holding the master user name and password (JSON keys username, password)."
  value       = local.secret_arn
}

output "db_host" {
  description = "Where clients connect: the proxy endpoint when there is one, else the instance address."
  value       = local.create_proxy ? try(aws_db_proxy.this[0].endpoint, null) : try(aws_db_instance.this[0].address, null)
}

output "db_security_group_id" {
  description = "ID of the database's security group."
  value       = try(aws_security_group.this[0].id, null)
}

output "db_client_security_group_id" {
  description = "ID of the security group that clients attach to reach the database (and proxy)."
  value       = try(aws_security_group.client[0].id, null)
}

output "db_parameter_group_name" {
  description = "Name of the DB parameter group."
  value       = try(aws_db_parameter_group.this[0].name, null)
}

output "db_subnet_group_name" {
  description = "Name of the DB subnet group."
  value       = try(aws_db_subnet_group.this[0].name, null)
}

output "db_proxy_endpoint" {
  description = "Endpoint of the RDS Proxy, when created."
  value       = try(aws_db_proxy.this[0].endpoint, null)
}
