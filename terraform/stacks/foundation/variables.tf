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

variable "vpc_cidr" {
  description = "CIDR block of the VPC."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Availability zones the network spans."
  type        = number
  default     = 2
}

variable "single_nat_gateway" {
  description = "One shared NAT gateway instead of one per AZ (cheaper, less available)."
  type        = bool
  default     = false
}

variable "interface_endpoints" {
  description = "Interface VPC endpoints (service suffixes) in the private subnets."
  type        = list(string)
  default     = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "sts", "bedrock-runtime", "runtime-v2-lex"]
}

variable "kms_deletion_window_days" {
  description = "Waiting period before the platform KMS key is deleted after a destroy (7-30 days)."
  type        = number
  default     = 30
}

variable "force_destroy_buckets" {
  description = "Whether destroy empties the buckets (all documents, lake data and logs are lost)."
  type        = bool
  default     = false
}

variable "log_bucket_expiration_days" {
  description = "Days after which access logs in the log bucket expire."
  type        = number
  default     = 365
}

variable "ecr_force_delete" {
  description = "Whether destroy deletes the image repository even when it holds images."
  type        = bool
  default     = false
}

variable "create_scalr_oidc_role" {
  description = "Whether to create the Scalr OIDC provider and the role Scalr plans/applies with."
  type        = bool
  default     = false
}

variable "create_scalr_oidc_provider" {
  description = "Whether to create the Scalr OIDC identity provider (one per account: false in the second environment of an account)."
  type        = bool
  default     = true
}

variable "scalr_oidc_provider_arn" {
  description = "Existing Scalr OIDC provider ARN, when create_scalr_oidc_provider is false."
  type        = string
  default     = null
}

variable "scalr_audience" {
  description = "Audience of the Scalr workload identity token (as in the Scalr AWS provider configuration)."
  type        = string
  default     = "aws.scalr-run-workload"
}

variable "scalr_subjects" {
  description = "Scalr token subjects allowed to assume the role, e.g. account:<account>:environment:campusbot-<env>:workspace:*."
  type        = list(string)
  default     = []
}
