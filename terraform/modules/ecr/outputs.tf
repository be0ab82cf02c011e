output "repository_name" {
  description = "Name of the repository."
  value       = try(aws_ecr_repository.this[0].name, null)
}

output "repository_arn" {
  description = "ARN of the repository."
  value       = try(aws_ecr_repository.this[0].arn, null)
}

output "repository_url" {
  description = "URL of the repository (<account>.dkr.ecr.<region>.amazonaws.com/<name>); the CLI pushes <url>:<tag>."
  value       = try(aws_ecr_repository.this[0].repository_url, null)
}

output "repository_registry_id" {
  description = "Registry (account) ID of the repository."
  value       = try(aws_ecr_repository.this[0].registry_id, null)
}
