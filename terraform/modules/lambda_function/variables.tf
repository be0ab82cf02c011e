variable "create" {
  description = "Whether to create the function and its log group, DLQ, security group and alarms."
  type        = bool
  default     = true
}

variable "function_name" {
  description = "Name of the function (also names its log group /aws/lambda/<name> and DLQ <name>-dlq)."
  type        = string
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = ""
}

variable "handler" {
  description = "Handler, e.g. campusbot.lambdas.lex_proxy.handler."
  type        = string
}

variable "runtime" {
  description = "Lambda runtime."
  type        = string
  default     = "python3.12"
}

variable "architecture" {
  description = "Instruction set: x86_64 or arm64 (must match compiled wheels in the artifact)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "role_arn" {
  description = "Execution role ARN (from the iam module)."
  type        = string
}

variable "artifact_path" {
  description = "Local path of the zip artifact built by the CLI. Set this or artifact_s3_bucket/artifact_s3_key."
  type        = string
  default     = null
}

variable "artifact_s3_bucket" {
  description = "Bucket of the zip artifact, when it is uploaded rather than local (e.g. runs on Scalr)."
  type        = string
  default     = null
}

variable "artifact_s3_key" {
  description = "Key of the zip artifact in artifact_s3_bucket."
  type        = string
  default     = null
}

variable "source_code_hash" {
  description = "Base64 SHA-256 of the artifact (from the CLI); a change triggers a code update."
  type        = string
}

variable "memory_size" {
  description = "Memory in MB."
  type        = number
  default     = 512
}

variable "timeout" {
  description = "Timeout in seconds."
  type        = number
  default     = 30
}

variable "environment_variables" {
  description = "Environment variables of the function (no secrets: pass secret ARNs and read them at run time)."
  type        = map(string)
  default     = {}
}

variable "kms_key_arn" {
  description = "KMS key encrypting the environment variables, the log group and the DLQ. null: AWS-managed keys."
  type        = string
  default     = null
}

variable "layers" {
  description = "Layer version ARNs."
  type        = list(string)
  default     = []
}

variable "vpc_id" {
  description = "VPC of the function's security group (when subnet_ids is set)."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Private subnets to run the function in. Empty: outside any VPC."
  type        = list(string)
  default     = []
}

variable "create_security_group" {
  description = "Whether to create a security group for the function (when it runs in the VPC)."
  type        = bool
  default     = true
}

variable "security_group_ids" {
  description = "Extra security groups attached to the function (e.g. the database client group)."
  type        = list(string)
  default     = []
}

variable "egress_rules" {
  description = "TCP egress rules of the function's security group, by a static name: to a CIDR or to a security group."
  type = map(object({
    description       = string
    port              = number
    cidr_ipv4         = optional(string)
    security_group_id = optional(string)
  }))
  default = {
    https = {
      description = "HTTPS to AWS APIs (VPC endpoints or NAT)"
      port        = 443
      cidr_ipv4   = "0.0.0.0/0"
    }
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency (-1: unreserved). Caps what the function can take from downstream systems."
  type        = number
  default     = -1
}

variable "tracing_mode" {
  description = "X-Ray tracing mode: Active or PassThrough."
  type        = string
  default     = "Active"
}

variable "application_log_level" {
  description = "Application log level of the JSON log format."
  type        = string
  default     = "INFO"
}

variable "create_dlq" {
  description = "Whether to create an SQS dead-letter queue for failed asynchronous invocations."
  type        = bool
  default     = true
}

variable "code_signing_config_arn" {
  description = "Code signing configuration ARN, when artifacts are signed."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Retention of the log group in days."
  type        = number
  default     = 365
}

variable "create_alarms" {
  description = "Whether to create error, throttle and DLQ alarms."
  type        = bool
  default     = true
}

variable "errors_alarm_threshold" {
  description = "Errors in 5 minutes that trigger the errors alarm."
  type        = number
  default     = 1
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm changes state (e.g. an SNS topic)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
