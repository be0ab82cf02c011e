output "api_url" {
  description = "Internal URL of the API (reachable inside the VPC only)."
  value       = "http://${module.api.lb_dns_name}"
}

output "ecs_cluster_name" {
  description = "ECS cluster of the API."
  value       = module.api.ecs_cluster_name
}

output "ecs_service_name" {
  description = "ECS service of the API."
  value       = module.api.ecs_service_name
}

output "fulfillment_function_name" {
  description = "Name of the fulfillment Lambda."
  value       = module.fulfillment.lambda_function_name
}

output "vectorizer_function_name" {
  description = "Name of the vectorizer Lambda."
  value       = module.vectorizer.lambda_function_name
}

output "bedrock_guardrail_id" {
  description = "ID of the Bedrock guardrail, when created."
  value       = module.bedrock.guardrail_id
}

output "ssm_parameter_names" {
  description = "SSM parameters this stack writes."
  value       = [for p in aws_ssm_parameter.out : p.name]
}
