output "glue_catalog_database_name" {
  description = "Name of the Glue database."
  value       = try(aws_glue_catalog_database.this[0].name, null)
}

output "glue_catalog_database_arn" {
  description = "ARN of the Glue database."
  value       = try(aws_glue_catalog_database.this[0].arn, null)
}

output "glue_catalog_table_name" {
  description = "Name of the chat events table."
  value       = try(aws_glue_catalog_table.chat_events[0].name, null)
}

output "glue_catalog_table_arn" {
  description = "ARN of the chat events table."
  value       = try(aws_glue_catalog_table.chat_events[0].arn, null)
}

output "glue_crawler_name" {
  description = "Name of the DMS output crawler."
  value       = try(aws_glue_crawler.dms[0].name, null)
}

output "glue_crawler_role_arn" {
  description = "ARN of the crawler's role."
  value       = try(aws_iam_role.crawler[0].arn, null)
}
