output "ecs_cluster_name" {
  description = "Name of the ECS cluster."
  value       = try(aws_ecs_cluster.this[0].name, null)
}

output "ecs_cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = try(aws_ecs_cluster.this[0].arn, null)
}

output "ecs_service_name" {
  description = "Name of the ECS service."
  value       = try(aws_ecs_service.this[0].name, null)
}

output "ecs_task_definition_arn" {
  description = "ARN (with revision) of the task definition."
  value       = try(aws_ecs_task_definition.this[0].arn, null)
}

output "lb_arn" {
  description = "ARN of the internal ALB."
  value       = try(aws_lb.this[0].arn, null)
}

output "lb_arn_suffix" {
  description = "ARN suffix of the ALB (the CloudWatch LoadBalancer dimension)."
  value       = try(aws_lb.this[0].arn_suffix, null)
}

output "lb_dns_name" {
  description = "DNS name of the internal ALB."
  value       = try(aws_lb.this[0].dns_name, null)
}

output "lb_internal" {
  description = "Whether the ALB is internal (always true)."
  value       = try(aws_lb.this[0].internal, null)
}

output "lb_target_group_arn" {
  description = "ARN of the target group."
  value       = try(aws_lb_target_group.this[0].arn, null)
}

output "lb_target_group_arn_suffix" {
  description = "ARN suffix of the target group (the CloudWatch TargetGroup dimension)."
  value       = try(aws_lb_target_group.this[0].arn_suffix, null)
}

output "lb_security_group_id" {
  description = "ID of the ALB's security group."
  value       = try(aws_security_group.alb[0].id, null)
}

output "service_security_group_id" {
  description = "ID of the tasks' security group."
  value       = try(aws_security_group.service[0].id, null)
}

output "cloudwatch_log_group_name" {
  description = "Name of the container log group."
  value       = try(aws_cloudwatch_log_group.this[0].name, null)
}

output "appautoscaling_target_resource_id" {
  description = "Resource ID of the scalable target (service/<cluster>/<service>), when autoscaling is on."
  value       = try(aws_appautoscaling_target.this[0].resource_id, null)
}
