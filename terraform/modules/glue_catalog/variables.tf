variable "create" {
  description = "Whether to create the database and tables."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of the crawler, its role and security configuration, e.g. campusbot-dev."
  type        = string
}

variable "database_name" {
  description = "Name of the Glue database (letters, digits and underscores)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9_]+$", var.database_name))
    error_message = "database_name may contain lower-case letters, digits and underscores only."
  }
}

variable "lake_bucket_name" {
  description = "Bucket of the lake."
  type        = string
}

variable "chat_events_prefix" {
  description = "Prefix of the chat events in the lake (ends with /); objects lie under <prefix>dt=YYYY-MM-DD/."
  type        = string
  default     = "chat-events/"
}

variable "chat_events_table_name" {
  description = "Name of the chat events table."
  type        = string
  default     = "chat_events"
}

variable "projection_start_date" {
  description = "First day (yyyy-MM-dd) of the dt partition projection."
  type        = string
  default     = "2025-01-01"

  validation {
    condition     = can(regex("^\\d{4}-\\d{2}-\\d{2}$", var.projection_start_date))
    error_message = "projection_start_date must be yyyy-MM-dd."
  }
}

variable "create_dms_crawler" {
  description = "Whether to create the crawler that catalogs the DMS output."
  type        = bool
  default     = true
}

variable "dms_prefix" {
  description = "Prefix of the DMS output in the lake (ends with /)."
  type        = string
  default     = "dms/"
}

variable "crawler_schedule" {
  description = "Schedule of the DMS crawler (cron expression, UTC)."
  type        = string
  default     = "cron(15 3 * * ? *)"
}

variable "kms_key_arn" {
  description = "KMS key of the lake (crawler access, crawler logs and bookmarks, optional catalog encryption)."
  type        = string
}

variable "create_catalog_encryption_settings" {
  description = "Whether to encrypt the account's whole Glue Data Catalog with kms_key_arn (an account-wide setting)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
