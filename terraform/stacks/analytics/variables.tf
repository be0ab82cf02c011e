variable "env" {
  description = "Environment name (dev, prod, ...): part of every resource name and of the SSM prefix /campusbot/<env>/."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.env))
    error_message = "env must be 2-10 lower-case letters or digits, starting with a letter."
  }
}

variable "region" {
  description = "AWS region of the deployment."
  type        = string
  default     = "us-east-1"
}

variable "tags" {
  description = "Extra tags for every resource (Project, Environment, Stack and ManagedBy are always set)."
  type        = map(string)
  default     = {}
}

variable "log_retention_days" {
  description = "Retention of the CloudWatch log groups in days."
  type        = number
  default     = 365
}

variable "create_chat_events_delivery" {
  description = "Whether lex_proxy's chat event log lines are delivered to the lake (CloudWatch Logs subscription → Firehose)."
  type        = bool
  default     = true
}

variable "athena_bytes_scanned_cutoff" {
  description = "Bytes a single Athena query may scan before it is cancelled."
  type        = number
  default     = 10737418240
}

variable "athena_named_queries" {
  description = "Whether to create the named queries of src/campusbot/analytics/queries."
  type        = bool
  default     = true
}

variable "athena_results_expiration_days" {
  description = "Days after which Athena query results expire."
  type        = number
  default     = 30
}

variable "glue_catalog_encryption" {
  description = "Whether to encrypt the account's Glue Data Catalog with the platform key (account-wide setting)."
  type        = bool
  default     = false
}

variable "create_dms" {
  description = "Whether to replicate the database into the lake with DMS (full load + CDC; needs db_logical_replication in the data stack)."
  type        = bool
  default     = true
}

variable "create_dms_service_roles" {
  description = "Whether to create the account-wide dms-vpc-role and dms-cloudwatch-logs-role (false if the account has them)."
  type        = bool
  default     = true
}

variable "dms_mode" {
  description = "DMS replication flavour: serverless or instance."
  type        = string
  default     = "serverless"
}

variable "dms_start_replication" {
  description = "Whether Terraform starts the replication (start it once the schema is migrated)."
  type        = bool
  default     = false
}

variable "dms_multi_az" {
  description = "Whether the DMS replication runs Multi-AZ."
  type        = bool
  default     = false
}

variable "dms_secret_recovery_window_days" {
  description = "Days a destroyed DMS source secret can be restored (0 deletes at once)."
  type        = number
  default     = 30
}

variable "create_redshift" {
  description = "Whether to create Redshift Serverless over the lake (optional)."
  type        = bool
  default     = false
}

variable "redshift_base_capacity" {
  description = "Base RPUs of the Redshift Serverless workgroup."
  type        = number
  default     = 8
}

variable "create_quicksight" {
  description = "Whether to create the QuickSight data source and data set (needs a QuickSight subscription)."
  type        = bool
  default     = false
}

variable "quicksight_owner_arns" {
  description = "QuickSight user or group ARNs that own the data source and data set."
  type        = list(string)
  default     = []
}
