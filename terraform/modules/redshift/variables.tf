variable "create" {
  description = "Whether to create Redshift Serverless (optional: the lake is queryable with Athena alone)."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the namespace, workgroup, role and security group, e.g. campusbot-prod."
  type        = string
}

variable "db_name" {
  description = "Name of the first database."
  type        = string
  default     = "analytics"
}

variable "admin_username" {
  description = "Admin user; its password is generated and kept in Secrets Manager (manage_admin_password)."
  type        = string
  default     = "campusbot_admin"
}

variable "vpc_id" {
  description = "VPC of the workgroup."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the workgroup (three AZs are recommended, two are accepted in most regions)."
  type        = list(string)
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on 5439, by a static name."
  type        = map(string)
  default     = {}
}

variable "base_capacity" {
  description = "Base RPUs (8 is the minimum)."
  type        = number
  default     = 8
}

variable "max_capacity" {
  description = "Maximum RPUs."
  type        = number
  default     = 32
}

variable "daily_rpu_hours_limit" {
  description = "RPU-hours per day after which the workgroup stops serving queries."
  type        = number
  default     = 24
}

variable "lake_bucket_name" {
  description = "Lake bucket Redshift may read."
  type        = string
}

variable "glue_database_name" {
  description = "Glue database Redshift Spectrum may read."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the namespace, its admin secret and the lake."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
