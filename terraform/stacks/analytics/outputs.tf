output "glue_database_name" {
  description = "Glue database of the lake."
  value       = module.glue.glue_catalog_database_name
}

output "chat_events_table_name" {
  description = "Table of the chat events."
  value       = module.glue.glue_catalog_table_name
}

output "chat_events_stream_name" {
  description = "Firehose stream delivering the chat events to the lake."
  value       = module.chat_events.firehose_delivery_stream_name
}

output "athena_workgroup_name" {
  description = "Athena workgroup (platform analytics runs the named queries here)."
  value       = module.athena.athena_workgroup_name
}

output "athena_named_query_ids" {
  description = "Named queries by name."
  value       = module.athena.athena_named_query_ids
}

output "dms_replication_arn" {
  description = "ARN of the DMS replication (config or task)."
  value       = coalesce(module.dms.dms_replication_config_arn, module.dms.dms_replication_task_arn, "none")
}

output "dms_source_secret_arn" {
  description = "Secret the deploy step fills with the replication user's connection (JSON username, password, host, port, dbname) before starting DMS."
  value       = module.dms.source_secret_arn
}

output "redshift_workgroup_endpoint" {
  description = "Endpoint of the Redshift Serverless workgroup, when created."
  value       = module.redshift.redshiftserverless_workgroup_endpoint
}

output "quicksight_data_set_arn" {
  description = "ARN of the QuickSight data set, when created."
  value       = module.quicksight.quicksight_data_set_arn
}

output "quicksight_dashboard_id" {
  description = "ID of the QuickSight dashboard of the named queries, when created."
  value       = module.quicksight.quicksight_dashboard_id
}

output "ssm_parameter_names" {
  description = "SSM parameters this stack writes."
  value       = [for p in aws_ssm_parameter.out : p.name]
}
