variable "create" {
  description = "Whether to create the delivery stream and the subscription filters."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the delivery stream (also of its roles and error log group), e.g. campusbot-dev-chat-events."
  type        = string
}

variable "source_log_group_names" {
  description = "CloudWatch log groups whose matching lines are delivered, by a static key (e.g. lex_proxy = /aws/lambda/...)."
  type        = map(string)
  default     = {}
}

variable "filter_pattern" {
  description = "CloudWatch Logs filter pattern selecting the lines to deliver (default: JSON lines of the chat event record)."
  type        = string
  default     = "{ ($.event_id = \"*\") && ($.session_id = \"*\") && ($.answer_source = \"*\") }"
}

variable "bucket_arn" {
  description = "ARN of the destination bucket (the lake)."
  type        = string
}

variable "prefix" {
  description = "Object prefix; Firehose expressions allowed (default: the chat_events table's day partitions)."
  type        = string
  default     = "chat-events/dt=!{timestamp:yyyy-MM-dd}/"
}

variable "error_output_prefix" {
  description = "Prefix of records that could not be delivered or processed."
  type        = string
  default     = "delivery-errors/chat-events/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/"
}

variable "buffering_size_mb" {
  description = "MiB buffered before an object is written."
  type        = number
  default     = 5
}

variable "buffering_interval_seconds" {
  description = "Seconds buffered before an object is written (events reach the lake within this delay)."
  type        = number
  default     = 300
}

variable "compression_format" {
  description = "Compression of the delivered objects (Athena reads GZIP JSON lines)."
  type        = string
  default     = "GZIP"
}

variable "kms_key_arn" {
  description = "KMS key of the stream, the delivered objects and the error log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the error log group in days."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
