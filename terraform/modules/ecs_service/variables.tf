variable "create" {
  description = "Whether to create the cluster, service and load balancer."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the cluster, service, task family and ALB (the ALB and target group names are cut to 32 characters)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the service."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the tasks."
  type        = list(string)
}

variable "alb_subnet_ids" {
  description = "Private subnets of the internal ALB (two AZs or more)."
  type        = list(string)
}

variable "alb_ingress_security_group_ids" {
  description = "Security groups allowed to call the ALB, by a static name (e.g. fulfillment = sg-...)."
  type        = map(string)
  default     = {}
}

variable "alb_ingress_cidr_blocks" {
  description = "CIDR blocks allowed to call the ALB (keep empty to admit only the security groups)."
  type        = list(string)
  default     = []
}

variable "additional_security_group_ids" {
  description = "Security groups attached to the tasks besides their own (e.g. the database client group)."
  type        = list(string)
  default     = []
}

variable "container_name" {
  description = "Name of the container."
  type        = string
  default     = "api"
}

variable "container_image" {
  description = "Image URI of the container (<repository url>:<immutable tag>)."
  type        = string
}

variable "container_port" {
  description = "Port the container listens on."
  type        = number
  default     = 8000
}

variable "container_user" {
  description = "Non-root user (uid:gid) the container runs as."
  type        = string
  default     = "10001:10001"

  validation {
    condition     = !contains(["root", "0", "0:0"], var.container_user)
    error_message = "The container must not run as root."
  }
}

variable "container_health_check_command" {
  description = "Container health check command (ECS CMD-SHELL form); null leaves health to the ALB."
  type        = list(string)
  default     = ["CMD-SHELL", "python -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)\" || exit 1"]
}

variable "environment" {
  description = "Plain environment variables of the container."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Environment variables resolved by ECS from Secrets Manager or SSM (name => valueFrom, e.g. <secret arn>:password::)."
  type        = map(string)
  default     = {}
}

variable "cpu" {
  description = "Task CPU units (256, 512, 1024, ...)."
  type        = number
  default     = 512
}

variable "memory" {
  description = "Task memory in MiB."
  type        = number
  default     = 1024
}

variable "cpu_architecture" {
  description = "CPU architecture of the task: X86_64 or ARM64 (must match the image)."
  type        = string
  default     = "X86_64"
}

variable "execution_role_arn" {
  description = "Task execution role (image pull, logs, secrets)."
  type        = string
}

variable "task_role_arn" {
  description = "Task role (what the application may call)."
  type        = string
}

variable "desired_count" {
  description = "Initial number of tasks (autoscaling owns it afterwards)."
  type        = number
  default     = 2
}

variable "create_autoscaling" {
  description = "Whether the service scales on CPU and on requests per target between min_capacity and max_capacity."
  type        = bool
  default     = true
}

variable "min_capacity" {
  description = "Autoscaling minimum number of tasks."
  type        = number
  default     = 2
}

variable "max_capacity" {
  description = "Autoscaling maximum number of tasks."
  type        = number
  default     = 6
}

variable "cpu_target_percent" {
  description = "Target average CPU utilisation of the service."
  type        = number
  default     = 60
}

variable "requests_per_target" {
  description = "Target ALB requests per task per minute."
  type        = number
  default     = 300
}

variable "health_check_path" {
  description = "Target group health check path."
  type        = string
  default     = "/healthz"
}

variable "listener_port" {
  description = "Port of the ALB listener."
  type        = number
  default     = 80
}

variable "alb_idle_timeout" {
  description = "ALB idle timeout in seconds (LLM answers can take a while)."
  type        = number
  default     = 120
}

variable "alb_access_logs_bucket" {
  description = "Bucket receiving ALB access logs under alb/ (SSE-S3 only). null: no access logs."
  type        = string
  default     = null
}

variable "enable_deletion_protection" {
  description = "Whether the ALB has deletion protection."
  type        = bool
  default     = true
}

variable "container_insights" {
  description = "Container Insights mode of the cluster: enabled, enhanced or disabled."
  type        = string
  default     = "enabled"
}

variable "enable_execute_command" {
  description = "Whether ECS Exec is enabled on the service (sessions are logged, KMS-encrypted)."
  type        = bool
  default     = false
}

variable "wait_for_steady_state" {
  description = "Whether apply waits for the service to reach a steady state."
  type        = bool
  default     = false
}

variable "log_group_name" {
  description = "Name of the container log group. null: /ecs/<name>."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Retention of the log groups in days."
  type        = number
  default     = 365
}

variable "kms_key_arn" {
  description = "KMS key encrypting the log groups and ECS Exec sessions."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
