output "bot_id" {
  description = "ID of the bot."
  value       = try(aws_cloudformation_stack.this[0].outputs["BotId"], null)
}

output "bot_arn" {
  description = "ARN of the bot."
  value       = try(aws_cloudformation_stack.this[0].outputs["BotArn"], null)
}

output "bot_version" {
  description = "Version the alias serves."
  value       = try(aws_cloudformation_stack.this[0].outputs["BotVersion"], null)
}

output "bot_alias_id" {
  description = "ID of the alias (CAMPUSBOT_BOT_ALIAS_ID of lex_proxy)."
  value       = try(aws_cloudformation_stack.this[0].outputs["BotAliasId"], null)
}

output "bot_alias_arn" {
  description = "ARN of the alias."
  value       = try(aws_cloudformation_stack.this[0].outputs["BotAliasArn"], null)
}

output "locale_id" {
  description = "Locale of the bot (CAMPUSBOT_LOCALE_ID)."
  value       = local.locale_id
}

output "intent_names" {
  description = "Intents deployed, in the template's (the definition's) order."
  value       = local.intent_names
}

output "slot_type_names" {
  description = "Custom slot types deployed."
  value       = local.slot_type_names
}

output "definition_hash" {
  description = "Hash of the deployed bot definition (also in the version's description)."
  value       = local.definition_hash
}

output "cloudformation_stack_id" {
  description = "ID of the CloudFormation stack holding the bot, its version and alias."
  value       = try(aws_cloudformation_stack.this[0].id, null)
}

output "template_body" {
  description = "The CloudFormation template deployed (JSON): the rendered template with the deploy-time slot values."
  value       = local.template_body
}

output "template_parameters" {
  description = "The stack parameters passed with the template (names as in the template's Parameters)."
  value       = local.parameters
}

output "conversation_log_group_name" {
  description = "Name of the conversation log group."
  value       = try(aws_cloudwatch_log_group.conversation[0].name, null)
}

output "template_url" {
  description = "S3 URL the stack's template is deployed from (null when it is sent inline as template_body)."
  value       = local.create && local.from_s3 ? local.template_url : null
}
