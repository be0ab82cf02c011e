variable "name" {
  description = "Prefix of the dashboard, alarms and topic, e.g. campusbot-dev."
  type        = string
}

variable "create_sns_topic" {
  description = "Whether to create the alarm topic (false: pass alarm_topic_arn)."
  type        = bool
  default     = true
}

variable "alarm_topic_arn" {
  description = "Existing SNS topic notified by the alarms, when create_sns_topic is false."
  type        = string
  default     = null
}

variable "alarm_email_addresses" {
  description = "Email addresses subscribed to the alarm topic (each must confirm)."
  type        = list(string)
  default     = []
}

variable "kms_key_arn" {
  description = "KMS key encrypting the alarm topic (its policy must let cloudwatch.amazonaws.com use it)."
  type        = string
  default     = null
}

variable "create_dashboard" {
  description = "Whether to create the CloudWatch dashboard."
  type        = bool
  default     = true
}

variable "api" {
  description = "API Gateway REST API name and stage. null: no API alarms or widgets."
  type = object({
    name  = string
    stage = string
  })
  default = null
}

variable "lambda_function_names" {
  description = "Lambda functions to watch, by a static key."
  type        = map(string)
  default     = {}
}

variable "dlq_names" {
  description = "Dead-letter queues to watch, by a static key."
  type        = map(string)
  default     = {}
}

variable "lex" {
  description = "Lex bot id, alias id and locale. null: no Lex alarm or widget."
  type = object({
    bot_id       = string
    bot_alias_id = string
    locale_id    = string
  })
  default = null
}

variable "alb" {
  description = "ALB and target group ARN suffixes of the API. null: no ALB alarms or widget."
  type = object({
    arn_suffix              = string
    target_group_arn_suffix = string
  })
  default = null
}

variable "ecs" {
  description = "ECS cluster and service names of the API. null: no ECS widget."
  type = object({
    cluster_name = string
    service_name = string
  })
  default = null
}

variable "rds" {
  description = "RDS instance identifier. null: no database alarms or widgets."
  type = object({
    instance_id = string
  })
  default = null
}

variable "api_5xx_threshold" {
  description = "API 5xx responses in 5 minutes that trigger the alarm."
  type        = number
  default     = 5
}

variable "api_latency_p90_ms" {
  description = "p90 API latency in milliseconds above which the alarm fires."
  type        = number
  default     = 8000
}

variable "lambda_errors_threshold" {
  description = "Lambda errors in 5 minutes that trigger the alarm."
  type        = number
  default     = 3
}

variable "lex_missed_utterances_threshold" {
  description = "Missed utterances per hour that trigger the alarm."
  type        = number
  default     = 20
}

variable "alb_5xx_threshold" {
  description = "Target 5xx responses in 5 minutes that trigger the alarm."
  type        = number
  default     = 5
}

variable "rds_cpu_percent" {
  description = "Average database CPU (%) above which the alarm fires."
  type        = number
  default     = 80
}

variable "rds_free_storage_bytes" {
  description = "Free database storage (bytes) below which the alarm fires."
  type        = number
  default     = 2147483648
}

variable "rds_connections_threshold" {
  description = "Database connections above which the alarm fires."
  type        = number
  default     = 80
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
