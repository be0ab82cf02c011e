variable "create" {
  description = "Whether to create the workgroup and the named queries."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the Athena workgroup."
  type        = string
}

variable "results_bucket_name" {
  description = "Bucket receiving query results."
  type        = string
}

variable "results_prefix" {
  description = "Prefix of query results in the bucket (ends with /)."
  type        = string
  default     = "athena/"
}

variable "kms_key_arn" {
  description = "KMS key encrypting query results (SSE-KMS). null: SSE-S3."
  type        = string
  default     = null
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Queries scanning more bytes than this are cancelled (cost guard; at least 10 MB)."
  type        = number
  default     = 10737418240
}

variable "force_destroy" {
  description = "Whether destroy deletes the workgroup even when it holds named queries and history."
  type        = bool
  default     = true
}

variable "create_named_queries" {
  description = "Whether to create one named query per .sql file of queries_dir."
  type        = bool
  default     = true
}

variable "queries_dir" {
  description = "Folder of the named queries (src/campusbot/analytics/queries); each file starts with -- name: and -- description: lines."
  type        = string
}

variable "database_name" {
  description = "Glue database the named queries run in."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
