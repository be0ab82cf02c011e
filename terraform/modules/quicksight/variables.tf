variable "create" {
  description = "Whether to create the QuickSight resources (needs a QuickSight subscription whose service role may use Athena, the lake bucket and its KMS key)."
  type        = bool
  default     = true
}

variable "name" {
  description = "Prefix of the data source and data set ids and names, e.g. campusbot-prod."
  type        = string
}

variable "aws_account_id" {
  description = "Account of the QuickSight subscription. null: the caller's account."
  type        = string
  default     = null
}

variable "athena_workgroup_name" {
  description = "Athena workgroup QuickSight queries through."
  type        = string
}

variable "glue_database_name" {
  description = "Glue database of the chat events table."
  type        = string
}

variable "queries_dir" {
  description = "Folder of the named queries (src/campusbot/analytics/queries): one data set and one visual of the analysis and dashboard per .sql file, drawn as its -- chart: line says."
  type        = string
}

variable "chat_events_table_name" {
  description = "Name of the chat events table."
  type        = string
  default     = "chat_events"
}

variable "import_mode" {
  description = "SPICE (imported, fast, billed per GB) or DIRECT_QUERY (queries Athena each time)."
  type        = string
  default     = "DIRECT_QUERY"

  validation {
    condition     = contains(["SPICE", "DIRECT_QUERY"], var.import_mode)
    error_message = "import_mode must be SPICE or DIRECT_QUERY."
  }
}

variable "owner_principal_arns" {
  description = "QuickSight user or group ARNs that own the data source and data set."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
