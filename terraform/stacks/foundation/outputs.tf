output "vpc_id" {
  description = "ID of the VPC."
  value       = module.network.vpc_id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets."
  value       = module.network.private_subnet_ids
}

output "kms_key_arn" {
  description = "ARN of the platform KMS key."
  value       = aws_kms_key.this.arn
}

output "docs_bucket_name" {
  description = "Bucket of uploaded documents (platform upload puts files here)."
  value       = module.docs_bucket.s3_bucket_id
}

output "lake_bucket_name" {
  description = "Bucket of the lake (chat events, DMS output)."
  value       = module.lake_bucket.s3_bucket_id
}

output "logs_bucket_name" {
  description = "Bucket of S3 and ALB access logs."
  value       = module.logs_bucket.s3_bucket_id
}

output "ecr_repository_url" {
  description = "Repository the CLI pushes the API image to."
  value       = module.ecr.repository_url
}

output "scalr_oidc_role_arn" {
  description = "Role to configure in the Scalr AWS provider configuration (null unless create_scalr_oidc_role)."
  value       = module.iam.scalr_oidc_role_arn
}

output "ssm_parameter_names" {
  description = "SSM parameters this stack writes."
  value       = [for p in aws_ssm_parameter.out : p.name]
}
