output "api_gateway_rest_api_id" {
  description = "ID of the REST API."
  value       = try(aws_api_gateway_rest_api.this[0].id, null)
}

output "api_gateway_rest_api_name" {
  description = "Name of the REST API (the CloudWatch ApiName dimension)."
  value       = try(aws_api_gateway_rest_api.this[0].name, null)
}

output "api_gateway_rest_api_execution_arn" {
  description = "Execution ARN of the REST API."
  value       = try(aws_api_gateway_rest_api.this[0].execution_arn, null)
}

output "api_gateway_stage_name" {
  description = "Name of the stage."
  value       = try(aws_api_gateway_stage.this[0].stage_name, null)
}

output "api_gateway_stage_arn" {
  description = "ARN of the stage."
  value       = try(aws_api_gateway_stage.this[0].arn, null)
}

output "api_gateway_stage_invoke_url" {
  description = "Invoke URL of the stage."
  value       = try(aws_api_gateway_stage.this[0].invoke_url, null)
}

output "chat_url" {
  description = "URL of POST /chat."
  value       = try("${aws_api_gateway_stage.this[0].invoke_url}/chat", null)
}

output "api_gateway_api_key_id" {
  description = "ID of the default API key (read its value with apigateway get-api-key --include-value)."
  value       = try(aws_api_gateway_api_key.this[0].id, null)
}

output "api_gateway_api_key_value" {
  description = "Value of the default API key."
  value       = try(aws_api_gateway_api_key.this[0].value, null)
  sensitive   = true
}

output "api_gateway_usage_plan_id" {
  description = "ID of the usage plan."
  value       = try(aws_api_gateway_usage_plan.this[0].id, null)
}

output "cloudwatch_log_group_name" {
  description = "Name of the access log group."
  value       = try(aws_cloudwatch_log_group.access[0].name, null)
}

output "wafv2_web_acl_arn" {
  description = "ARN of the web ACL protecting the stage (created or passed in)."
  value       = local.waf_acl_arn
}
