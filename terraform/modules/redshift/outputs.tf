output "redshiftserverless_namespace_arn" {
  description = "ARN of the namespace."
  value       = try(aws_redshiftserverless_namespace.this[0].arn, null)
}

output "redshiftserverless_namespace_admin_password_secret_arn" {
  description = "ARN of the Secrets Manager secret of the admin user."
  value       = try(aws_redshiftserverless_namespace.this[0].admin_password_secret_arn, null)
}

output "redshiftserverless_workgroup_arn" {
  description = "ARN of the workgroup."
  value       = try(aws_redshiftserverless_workgroup.this[0].arn, null)
}

output "redshiftserverless_workgroup_endpoint" {
  description = "Endpoint address of the workgroup."
  value       = try(aws_redshiftserverless_workgroup.this[0].endpoint[0].address, null)
}

output "iam_role_arn" {
  description = "ARN of the role Redshift uses to read the lake."
  value       = try(aws_iam_role.this[0].arn, null)
}

output "security_group_id" {
  description = "ID of the workgroup's security group."
  value       = try(aws_security_group.this[0].id, null)
}
