variable "create" {
  description = "Whether to create the repository."
  type        = bool
  default     = true
}

variable "name" {
  description = "Repository name, e.g. campusbot-dev/api."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the images. null: AES256."
  type        = string
  default     = null
}

variable "force_delete" {
  description = "Whether destroy deletes the repository even when it still holds images."
  type        = bool
  default     = false
}

variable "max_image_count" {
  description = "How many images the lifecycle policy keeps."
  type        = number
  default     = 30
}

variable "untagged_image_expiry_days" {
  description = "Days after which untagged images expire."
  type        = number
  default     = 7
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
