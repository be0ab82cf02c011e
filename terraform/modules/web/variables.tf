variable "create" {
  description = "Whether to create the web chat's bucket and distribution."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name prefix of the bucket, the distribution's policies and its origin access control (e.g. campusbot-dev)."
  type        = string
}

variable "bucket_name" {
  description = "Name of the private S3 bucket holding the web chat's files; null: <name>-web-<account id>."
  type        = string
  default     = null
}

variable "api_origins" {
  description = "Origins the page may call (the chat API's https://<id>.execute-api.<region>.amazonaws.com and the Cognito endpoint): the CSP's connect-src."
  type        = list(string)
  default     = []
}

variable "widget_hosts" {
  description = "Origins whose pages may embed the chat with the widget (CSP frame-ancestors), e.g. [\"https://www.university.example\"]. Empty: only the chat's own pages."
  type        = list(string)
  default     = []
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"
}

variable "web_acl_arn" {
  description = "ARN of a WAFv2 web ACL (scope CLOUDFRONT, us-east-1) to attach; null: none."
  type        = string
  default     = null
}

variable "log_bucket_domain_name" {
  description = "Domain name of an S3 bucket for CloudFront standard logs (bucket.s3.amazonaws.com); null: no access logs."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
