variable "create_bucket" {
  description = "Whether to create the bucket. false: only the Lambda notifications are managed, on the existing bucket named by bucket."
  type        = bool
  default     = true
}

variable "bucket" {
  description = "Name of the bucket (globally unique)."
  type        = string
}

variable "force_destroy" {
  description = "Whether destroy empties the bucket first (all object versions are lost)."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "KMS key ARN for SSE-KMS default encryption. null: SSE-S3 (AES256), which S3 server access logs and ALB access logs require on their target bucket."
  type        = string
  default     = null
}

variable "versioning_enabled" {
  description = "Whether object versioning is enabled."
  type        = bool
  default     = true
}

variable "lifecycle_rules" {
  description = "Lifecycle rules (by prefix). A further rule aborts incomplete multipart uploads in the whole bucket after abort_incomplete_multipart_upload_days."
  type = list(object({
    id                                 = string
    prefix                             = optional(string, "")
    expiration_days                    = optional(number)
    noncurrent_version_expiration_days = optional(number)
    transitions = optional(list(object({
      days          = number
      storage_class = string
    })), [])
  }))
  default = [{
    id                                 = "default"
    noncurrent_version_expiration_days = 90
  }]

  validation {
    condition     = length(var.lifecycle_rules) > 0
    error_message = "At least one lifecycle rule is required."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete multipart uploads are aborted."
  type        = number
  default     = 7
}

variable "logging" {
  description = "Server access logging: the target bucket and an optional prefix (default s3/, which the access-log delivery policy allows; keys are partitioned by account, region, source bucket and date). null: no access logging (e.g. for the log bucket itself)."
  type = object({
    target_bucket = string
    target_prefix = optional(string)
  })
  default = null
}

variable "attach_access_log_delivery_policy" {
  description = "Whether the bucket policy lets S3 server access logging (logging.s3.amazonaws.com) write under s3/."
  type        = bool
  default     = false
}

variable "attach_lb_log_delivery_policy" {
  description = "Whether the bucket policy lets Elastic Load Balancing deliver access logs under alb/."
  type        = bool
  default     = false
}

variable "lb_log_delivery_elb_account" {
  description = "With attach_lb_log_delivery_policy: also allow the region's Elastic Load Balancing account (data.aws_elb_service_account), which delivers the logs in regions opened before August 2022 (us-east-1 among them). false in newer regions, where that data source has no account and the service principal alone applies."
  type        = bool
  default     = true
}

variable "policy_json" {
  description = "Extra bucket policy statements (a JSON policy document) merged with the TLS-only statements."
  type        = string
  default     = null
}

variable "lambda_notifications" {
  description = "Event notifications to Lambda functions; the invoke permissions are created as well."
  type = list(object({
    id            = string
    function_arn  = string
    events        = list(string)
    filter_prefix = optional(string)
    filter_suffix = optional(string)
  }))
  default = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
