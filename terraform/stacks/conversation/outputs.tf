output "chat_url" {
  description = "URL of POST /chat (send the API key in x-api-key)."
  value       = module.api.chat_url
}

output "api_key_id" {
  description = "ID of the default API key (apigateway get-api-key --api-key <id> --include-value)."
  value       = module.api.api_gateway_api_key_id
}

output "api_key_value" {
  description = "Value of the default API key."
  value       = module.api.api_gateway_api_key_value
  sensitive   = true
}

output "bot_id" {
  description = "ID of the Lex bot (CAMPUSBOT_BOT_ID)."
  value       = local.bot_id
}

output "bot_alias_id" {
  description = "ID of the Lex bot alias (CAMPUSBOT_BOT_ALIAS_ID)."
  value       = local.bot_alias_id
}

output "bot_version" {
  description = "Version the alias serves."
  value       = module.lex_bot.bot_version
}

output "locale_id" {
  description = "Locale of the bot (CAMPUSBOT_LOCALE_ID)."
  value       = module.lex_bot.locale_id
}

output "intent_names" {
  description = "Intents deployed, from definition.yaml."
  value       = module.lex_bot.intent_names
}

output "lex_proxy_function_name" {
  description = "Name of the lex_proxy Lambda."
  value       = module.lex_proxy.lambda_function_name
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the chain."
  value       = module.observability.cloudwatch_dashboard_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.observability.sns_topic_arn
}

output "ssm_parameter_names" {
  description = "SSM parameters this stack writes."
  value       = [for p in aws_ssm_parameter.out : p.name]
}

output "web_url" {
  description = "The students' web chat (CloudFront); null without create_web."
  value       = module.web.url
}

output "web_bucket_name" {
  description = "The bucket platform deploy uploads web/ and its config.json to."
  value       = module.web.bucket_name
}

output "web_distribution_id" {
  description = "The web chat's CloudFront distribution (invalidated after an upload)."
  value       = module.web.distribution_id
}
