output "scalr_oidc_provider_arn" {
  description = "ARN of the Scalr OIDC identity provider (created or passed in)."
  value       = local.scalr_provider_arn
}

output "scalr_oidc_role_arn" {
  description = "ARN of the role to put in the Scalr AWS provider configuration (credentials_type = oidc)."
  value       = try(aws_iam_role.scalr[0].arn, null)
  depends_on  = [aws_iam_role_policy.scalr, aws_iam_role_policy_attachment.scalr]
}

output "ecs_task_execution_role_arn" {
  description = "ARN of the ECS task execution role."
  value       = try(aws_iam_role.ecs_execution[0].arn, null)
  depends_on  = [aws_iam_role_policy.ecs_execution]
}

output "ecs_task_role_arn" {
  description = "ARN of the ECS task role."
  value       = try(aws_iam_role.ecs_task[0].arn, null)
  depends_on  = [aws_iam_role_policy.ecs_task, aws_iam_role_policy_attachment.ecs_task]
}

output "lambda_role_arns" {
  description = "ARNs of the Lambda execution roles by function key (available once their policies are attached)."
  value       = { for k, v in aws_iam_role.lambda : k => v.arn }
  depends_on  = [aws_iam_role_policy.lambda, aws_iam_role_policy_attachment.lambda]
}

output "lambda_role_names" {
  description = "Names of the Lambda execution roles by function key."
  value       = { for k, v in aws_iam_role.lambda : k => v.name }
}

output "dms_vpc_role_arn" {
  description = "ARN of dms-vpc-role."
  value       = try(aws_iam_role.dms_vpc[0].arn, null)
  depends_on  = [aws_iam_role_policy_attachment.dms_vpc]
}

output "dms_cloudwatch_logs_role_arn" {
  description = "ARN of dms-cloudwatch-logs-role."
  value       = try(aws_iam_role.dms_cloudwatch[0].arn, null)
  depends_on  = [aws_iam_role_policy_attachment.dms_cloudwatch]
}

output "dms_s3_target_role_arn" {
  description = "ARN of the role DMS assumes to write the lake."
  value       = try(aws_iam_role.dms_s3_target[0].arn, null)
  depends_on  = [aws_iam_role_policy.dms_s3_target]
}

output "dms_secrets_access_role_arn" {
  description = "ARN of the role DMS assumes to read the source secret."
  value       = try(aws_iam_role.dms_secrets[0].arn, null)
  depends_on  = [aws_iam_role_policy.dms_secrets]
}

output "lex_bot_role_arn" {
  description = "ARN of the Lex V2 bot service role."
  value       = try(aws_iam_role.lex[0].arn, null)
  depends_on  = [aws_iam_role_policy.lex]
}
