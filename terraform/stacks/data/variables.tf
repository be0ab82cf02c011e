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

variable "db_engine_version" {
  description = "PostgreSQL version (a major version lets RDS pick its current minor; 17.1+ ships pgvector 0.8)."
  type        = string
  default     = "17"
}

variable "db_instance_class" {
  description = "DB instance class."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB."
  type        = number
  default     = 200
}

variable "db_multi_az" {
  description = "Whether the database runs with a standby in a second AZ."
  type        = bool
  default     = true
}

variable "db_deletion_protection" {
  description = "Whether the database has deletion protection."
  type        = bool
  default     = true
}

variable "db_skip_final_snapshot" {
  description = "Whether destroy skips the final snapshot."
  type        = bool
  default     = false
}

variable "db_backup_retention_days" {
  description = "Days of automated backups."
  type        = number
  default     = 14
}

variable "db_performance_insights" {
  description = "Whether Performance Insights is on."
  type        = bool
  default     = true
}

variable "db_monitoring_interval" {
  description = "Enhanced monitoring interval in seconds (0 disables it)."
  type        = number
  default     = 60
}

variable "db_apply_immediately" {
  description = "Whether database modifications apply immediately instead of in the maintenance window."
  type        = bool
  default     = false
}

variable "db_create_proxy" {
  description = "Whether to put an RDS Proxy in front of the database (clients then connect to the proxy)."
  type        = bool
  default     = false
}

variable "db_logical_replication" {
  description = "Whether logical replication is on (needed by DMS change data capture in the analytics stack)."
  type        = bool
  default     = false
}
