variable "create" {
  description = "Whether to create the database and everything around it."
  type        = bool
  default     = true
}

variable "identifier" {
  description = "Identifier of the DB instance; also the prefix of its subnet group, security groups, parameter group and roles."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL version. A major version (17) lets RDS pick its current minor, all of which ship pgvector 0.8 (17.1 and later)."
  type        = string
  default     = "17"
}

variable "instance_class" {
  description = "DB instance class."
  type        = string
  default     = "db.t4g.micro"
}

variable "db_name" {
  description = "Name of the database created in the instance."
  type        = string
  default     = "campusbot"
}

variable "username" {
  description = "Master user name. Its password is generated and rotated by RDS in Secrets Manager (manage_master_user_password)."
  type        = string
  default     = "campusbot_admin"
}

variable "port" {
  description = "PostgreSQL port."
  type        = number
  default     = 5432
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Database subnets (at least two AZs)."
  type        = list(string)
}

variable "allowed_security_group_ids" {
  description = "Extra security groups allowed to connect, by a static name. The module's client security group is always allowed."
  type        = map(string)
  default     = {}
}

variable "kms_key_arn" {
  description = "KMS key encrypting storage, the master user secret and Performance Insights."
  type        = string
}

variable "allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
  default     = 20
}

variable "max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB."
  type        = number
  default     = 100
}

variable "multi_az" {
  description = "Whether to run a standby in a second AZ."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Whether deletion protection is on."
  type        = bool
  default     = true
}

variable "skip_final_snapshot" {
  description = "Whether destroy skips the final snapshot (<identifier>-final)."
  type        = bool
  default     = false
}

variable "backup_retention_period" {
  description = "Days of automated backups (point-in-time recovery)."
  type        = number
  default     = 14
}

variable "backup_window" {
  description = "Daily backup window (UTC)."
  type        = string
  default     = "03:00-04:00"
}

variable "maintenance_window" {
  description = "Weekly maintenance window (UTC)."
  type        = string
  default     = "sun:04:30-sun:05:30"
}

variable "apply_immediately" {
  description = "Whether modifications apply now rather than in the maintenance window."
  type        = bool
  default     = false
}

variable "ca_cert_identifier" {
  description = "Certificate authority of the server certificate."
  type        = string
  default     = "rds-ca-rsa2048-g1"
}

variable "performance_insights_enabled" {
  description = "Whether Performance Insights is on."
  type        = bool
  default     = true
}

variable "performance_insights_retention_period" {
  description = "Performance Insights retention in days (7 is free)."
  type        = number
  default     = 7
}

variable "monitoring_interval" {
  description = "Enhanced monitoring interval in seconds (0 disables it)."
  type        = number
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval)
    error_message = "monitoring_interval must be one of 0, 1, 5, 10, 15, 30, 60."
  }
}

variable "log_statement" {
  description = "PostgreSQL log_statement (none, ddl, mod, all)."
  type        = string
  default     = "ddl"
}

variable "log_min_duration_statement_ms" {
  description = "Statements slower than this many milliseconds are logged (-1 disables)."
  type        = number
  default     = 500
}

variable "enable_logical_replication" {
  description = "Sets rds.logical_replication = 1 (needs a reboot), which DMS change data capture requires."
  type        = bool
  default     = false
}

variable "parameters" {
  description = "Extra DB parameters."
  type = list(object({
    name         = string
    value        = string
    apply_method = optional(string, "immediate")
  }))
  default = []
}

variable "create_proxy" {
  description = "Whether to put an RDS Proxy (TLS required) in front of the instance."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
