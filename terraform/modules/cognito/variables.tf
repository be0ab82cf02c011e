variable "name" {
  description = "Name of the user pool and prefix of its app client (campusbot-<env>)."
  type        = string
}

variable "password_minimum_length" {
  description = "Shortest password the pool accepts (NIST SP 800-63B: at least 8; 12+ recommended)."
  type        = number
  default     = 12

  validation {
    condition     = var.password_minimum_length >= 8 && var.password_minimum_length <= 99
    error_message = "password_minimum_length must be 8-99."
  }
}

variable "temporary_password_validity_days" {
  description = "Days an administrator-set temporary password stays usable."
  type        = number
  default     = 3
}

variable "id_token_validity_minutes" {
  description = "Lifetime of ID tokens in minutes (what the chat sends as Bearer; Cognito: 5-1440)."
  type        = number
  default     = 60

  validation {
    condition     = var.id_token_validity_minutes >= 5 && var.id_token_validity_minutes <= 1440
    error_message = "id_token_validity_minutes must be 5-1440."
  }
}

variable "access_token_validity_minutes" {
  description = "Lifetime of access tokens in minutes (Cognito: 5-1440)."
  type        = number
  default     = 60

  validation {
    condition     = var.access_token_validity_minutes >= 5 && var.access_token_validity_minutes <= 1440
    error_message = "access_token_validity_minutes must be 5-1440."
  }
}

variable "refresh_token_validity_days" {
  description = "Lifetime of refresh tokens in days (Cognito: 1-3650)."
  type        = number
  default     = 30

  validation {
    condition     = var.refresh_token_validity_days >= 1 && var.refresh_token_validity_days <= 3650
    error_message = "refresh_token_validity_days must be 1-3650."
  }
}

variable "allow_password_auth" {
  description = "Whether the app client also accepts USER_PASSWORD_AUTH (the CLI's `platform chat --as`; the password goes to Cognito over TLS). SRP and refresh tokens are always allowed."
  type        = bool
  default     = true
}

variable "self_sign_up" {
  description = "Whether students may sign themselves up (false: only administrators create users, e.g. `platform users add`)."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Whether the pool refuses deletion (ACTIVE in prod)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the user pool."
  type        = map(string)
  default     = {}
}
