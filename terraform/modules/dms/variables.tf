variable "create" {
  description = "Whether to create the replication."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the replication, its endpoints, subnet group and security group, e.g. campusbot-dev."
  type        = string
}

variable "mode" {
  description = "serverless (DMS Serverless replication config) or instance (replication instance + task)."
  type        = string
  default     = "serverless"

  validation {
    condition     = contains(["serverless", "instance"], var.mode)
    error_message = "mode must be serverless or instance."
  }
}

variable "vpc_id" {
  description = "VPC of the replication."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the replication (two AZs or more)."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Extra security groups of the replication (the database client group)."
  type        = list(string)
  default     = []
}

variable "source_database_name" {
  description = "Source database name."
  type        = string
}

variable "create_source_secret" {
  description = "Whether to create the (empty) secret DMS reads the source connection from; the deploy step writes its value. false: pass source_secret_arn."
  type        = bool
  default     = true
}

variable "source_secret_name" {
  description = "Name of the created source secret. null: <name>/dms-source."
  type        = string
  default     = null
}

variable "source_secret_arn" {
  description = "ARN of an existing secret with the source connection (JSON username, password, host, port, dbname), when create_source_secret is false."
  type        = string
  default     = null
}

variable "source_secret_recovery_window_days" {
  description = "Days a deleted source secret can be restored (0 deletes at once)."
  type        = number
  default     = 30
}

variable "source_secret_access_role_arn" {
  description = "Role DMS assumes to read the source secret."
  type        = string
}

variable "include_schemas" {
  description = "Source schemas to replicate (all tables of each)."
  type        = list(string)
  default     = ["public"]
}

variable "target_bucket_name" {
  description = "Lake bucket receiving the replicated tables."
  type        = string
}

variable "target_prefix" {
  description = "Prefix of the DMS output in the lake."
  type        = string
  default     = "dms/"
}

variable "target_access_role_arn" {
  description = "Role DMS assumes to write the lake."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the endpoints, the replication storage and the lake objects."
  type        = string
}

variable "multi_az" {
  description = "Whether the replication runs Multi-AZ."
  type        = bool
  default     = false
}

variable "serverless_min_capacity_units" {
  description = "Minimum DMS capacity units (serverless)."
  type        = number
  default     = 1
}

variable "serverless_max_capacity_units" {
  description = "Maximum DMS capacity units (serverless)."
  type        = number
  default     = 4
}

variable "instance_class" {
  description = "Replication instance class (instance mode)."
  type        = string
  default     = "dms.t3.micro"
}

variable "instance_allocated_storage" {
  description = "Storage of the replication instance in GiB (instance mode)."
  type        = number
  default     = 50
}

variable "maintenance_window" {
  description = "Weekly maintenance window (UTC)."
  type        = string
  default     = "sun:05:30-sun:06:30"
}

variable "start_replication" {
  description = "Whether Terraform starts the replication (false: start it once the database has its schema)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
