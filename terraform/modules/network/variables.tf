variable "create" {
  description = "Whether to create the network at all (false turns the module into a no-op)."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name prefix for the VPC and everything in it, e.g. campusbot-dev."
  type        = string
}

variable "cidr" {
  description = "IPv4 CIDR block of the VPC. Subnets are carved out of it with cidrsubnet()."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.cidr))
    error_message = "cidr must be a valid IPv4 CIDR block."
  }
}

variable "subnet_newbits" {
  description = "Bits added to the VPC prefix for each subnet (4 on a /16 gives /20 subnets)."
  type        = number
  default     = 4
}

variable "azs" {
  description = "Availability zones to use. Empty: the first az_count zones the region reports as available."
  type        = list(string)
  default     = []
}

variable "az_count" {
  description = "How many availability zones to span when azs is empty (at least 2: RDS and the ALB need two)."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 4
    error_message = "az_count must be between 2 and 4."
  }
}

variable "enable_nat_gateway" {
  description = "Whether private subnets get outbound internet access through NAT gateways."
  type        = bool
  default     = true
}

variable "single_nat_gateway" {
  description = "One shared NAT gateway (cheap, one AZ is a single point of failure) instead of one per AZ."
  type        = bool
  default     = false
}

variable "interface_endpoints" {
  description = "Interface VPC endpoint service suffixes (com.amazonaws.<region>.<suffix>) placed in the private subnets."
  type        = list(string)
  default = [
    "ecr.api",
    "ecr.dkr",
    "logs",
    "secretsmanager",
    "ssm",
    "sts",
    "bedrock-runtime",
    "runtime-v2-lex",
  ]
}

variable "enable_flow_log" {
  description = "Whether to record VPC flow logs to CloudWatch Logs."
  type        = bool
  default     = true
}

variable "flow_log_traffic_type" {
  description = "Which traffic the flow log records: ACCEPT, REJECT or ALL."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.flow_log_traffic_type)
    error_message = "flow_log_traffic_type must be ACCEPT, REJECT or ALL."
  }
}

variable "flow_log_retention_days" {
  description = "Retention of the flow log group in days."
  type        = number
  default     = 365
}

variable "flow_log_kms_key_arn" {
  description = "KMS key ARN that encrypts the flow log group (its key policy must allow the CloudWatch Logs service)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
