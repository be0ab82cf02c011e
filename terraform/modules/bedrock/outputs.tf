output "invoke_policy_arn" {
  description = "ARN of the policy allowing the chat and embedding models (and the guardrail)."
  value       = aws_iam_policy.invoke_all.arn
}

output "embedding_policy_arn" {
  description = "ARN of the policy allowing only the embedding model."
  value       = aws_iam_policy.invoke_embedding.arn
}

output "model_resource_arns" {
  description = "IAM resources granted per model id."
  value       = local.model_resources
}

output "invocation_log_group_name" {
  description = "Name of the invocation log group."
  value       = try(aws_cloudwatch_log_group.invocations[0].name, null)
}

output "guardrail_id" {
  description = "ID of the guardrail."
  value       = try(aws_bedrock_guardrail.this[0].guardrail_id, null)
}

output "guardrail_version" {
  description = "Published version of the guardrail."
  value       = try(aws_bedrock_guardrail_version.this[0].version, null)
}

output "converse_environment" {
  description = "Environment of a Converse caller (the API): CAMPUSBOT_BEDROCK_GUARDRAIL_ID and _VERSION of the guardrail, which every call then applies; empty without one."
  value = var.create_guardrail ? {
    CAMPUSBOT_BEDROCK_GUARDRAIL_ID      = try(aws_bedrock_guardrail.this[0].guardrail_id, null)
    CAMPUSBOT_BEDROCK_GUARDRAIL_VERSION = try(aws_bedrock_guardrail_version.this[0].version, null)
  } : {}
}
