data "aws_region" "current" {}

locals {
  create         = var.create
  region         = data.aws_region.current.id
  log_group_name = coalesce(var.log_group_name, "/ecs/${var.name}")
  exec_log_group = "/ecs/${var.name}/exec"

  container_definitions = [
    {
      name                   = var.container_name
      image                  = var.container_image
      essential              = true
      memory                 = var.memory
      readonlyRootFilesystem = true
      user                   = var.container_user
      portMappings = [{
        name          = "http"
        containerPort = var.container_port
        protocol      = "tcp"
      }]
      environment = [for k in sort(keys(var.environment)) : { name = k, value = var.environment[k] }]
      secrets     = [for k in sort(keys(var.secrets)) : { name = k, valueFrom = var.secrets[k] }]
      mountPoints = [{
        sourceVolume  = "tmp"
        containerPath = "/tmp"
        readOnly      = false
      }]
      linuxParameters = {
        initProcessEnabled = true
        capabilities       = { drop = ["ALL"] }
      }
      healthCheck = var.container_health_check_command == null ? null : {
        command     = var.container_health_check_command
        interval    = 30
        timeout     = 5
        retries     = 3
        startPeriod = 30
      }
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = local.log_group_name
          awslogs-region        = local.region
          awslogs-stream-prefix = var.container_name
        }
      }
      stopTimeout = 30
    }
  ]
}

################################################################################
# Cluster
################################################################################

resource "aws_cloudwatch_log_group" "exec" {
  count = local.create ? 1 : 0

  name              = local.exec_log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

resource "aws_ecs_cluster" "this" {
  count = local.create ? 1 : 0

  name = var.name

  setting {
    name  = "containerInsights"
    value = var.container_insights
  }

  configuration {
    execute_command_configuration {
      kms_key_id = var.kms_key_arn
      logging    = "OVERRIDE"

      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.exec[0].name
      }
    }
  }

  tags = var.tags
}

################################################################################
# Task definition
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  count = local.create ? 1 : 0

  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

resource "aws_ecs_task_definition" "this" {
  count = local.create ? 1 : 0

  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn
  container_definitions    = jsonencode([for c in local.container_definitions : { for k, v in c : k => v if v != null }])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }

  tags = var.tags
}

################################################################################
# Security groups: ALB (from the allowed callers) and service (from the ALB only)
################################################################################

resource "aws_security_group" "alb" {
  count = local.create ? 1 : 0

  name        = "${var.name}-alb"
  description = "Internal ALB of ${var.name}: HTTP from the allowed callers only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-alb" })
}

resource "aws_vpc_security_group_ingress_rule" "alb_from_security_groups" {
  for_each = local.create ? var.alb_ingress_security_group_ids : {}

  security_group_id            = aws_security_group.alb[0].id
  description                  = "HTTP from ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = var.listener_port
  to_port                      = var.listener_port
  referenced_security_group_id = each.value

  tags = var.tags

  lifecycle {
    # checkov:skip=CKV_AWS_260:The rule admits a referenced security group, not 0.0.0.0/0 (the check ignores referenced_security_group_id).
  }
}

resource "aws_vpc_security_group_ingress_rule" "alb_from_cidrs" {
  for_each = local.create ? toset(var.alb_ingress_cidr_blocks) : toset([])

  security_group_id = aws_security_group.alb[0].id
  description       = "HTTP from ${each.value}"
  ip_protocol       = "tcp"
  from_port         = var.listener_port
  to_port           = var.listener_port
  cidr_ipv4         = each.value

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "alb_to_service" {
  count = local.create ? 1 : 0

  security_group_id            = aws_security_group.alb[0].id
  description                  = "To the service containers"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.service[0].id

  tags = var.tags
}

resource "aws_security_group" "service" {
  count = local.create ? 1 : 0

  name        = "${var.name}-service"
  description = "Tasks of ${var.name}: ingress from the ALB only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-service" })
}

resource "aws_vpc_security_group_ingress_rule" "service_from_alb" {
  count = local.create ? 1 : 0

  security_group_id            = aws_security_group.service[0].id
  description                  = "From the ALB"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.alb[0].id

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "service_https" {
  count = local.create ? 1 : 0

  security_group_id = aws_security_group.service[0].id
  description       = "HTTPS to AWS APIs (VPC endpoints or NAT)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = var.tags
}

################################################################################
# Internal ALB
################################################################################

resource "aws_lb" "this" {
  count = local.create ? 1 : 0

  name                       = substr(var.name, 0, 32)
  internal                   = true
  load_balancer_type         = "application"
  subnets                    = var.alb_subnet_ids
  security_groups            = [aws_security_group.alb[0].id]
  drop_invalid_header_fields = true
  desync_mitigation_mode     = "strictest"
  idle_timeout               = var.alb_idle_timeout
  enable_deletion_protection = var.enable_deletion_protection

  dynamic "access_logs" {
    for_each = var.alb_access_logs_bucket != null ? [var.alb_access_logs_bucket] : []

    content {
      bucket  = access_logs.value
      prefix  = "alb"
      enabled = true
    }
  }

  tags = var.tags

  lifecycle {
    # checkov:skip=CKV2_AWS_20:Internal ALB with an HTTP-only listener by contract; there is no HTTPS listener to redirect to (see the listener).
  }
}

resource "aws_lb_target_group" "this" {
  count = local.create ? 1 : 0

  name                 = substr(var.name, 0, 32)
  vpc_id               = var.vpc_id
  target_type          = "ip"
  port                 = var.container_port
  protocol             = "HTTP"
  deregistration_delay = 30

  health_check {
    enabled             = true
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = var.tags

  lifecycle {
    # checkov:skip=CKV_AWS_378:Targets are the API containers in private subnets behind an internal ALB; TLS to them adds no protection inside the security-group boundary.
  }
}

resource "aws_lb_listener" "http" {
  count = local.create ? 1 : 0

  load_balancer_arn = aws_lb.this[0].arn
  port              = var.listener_port
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[0].arn
  }

  tags = var.tags

  lifecycle {
    # checkov:skip=CKV_AWS_2:Internal-only listener inside private subnets; the Lambda caller reaches it over HTTP by contract (CAMPUSBOT_API_URL) and the security group admits only allowed callers.
    # checkov:skip=CKV_AWS_103:No TLS on this internal listener (see CKV_AWS_2).
  }
}

################################################################################
# Service (circuit breaker with rollback)
################################################################################

resource "aws_ecs_service" "this" {
  count = local.create ? 1 : 0

  name                               = var.name
  cluster                            = aws_ecs_cluster.this[0].id
  task_definition                    = aws_ecs_task_definition.this[0].arn
  desired_count                      = var.desired_count
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 60
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  enable_execute_command             = var.enable_execute_command
  wait_for_steady_state              = var.wait_for_steady_state

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = concat([aws_security_group.service[0].id], var.additional_security_group_ids)
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this[0].arn
    container_name   = var.container_name
    container_port   = var.container_port
  }

  tags = var.tags

  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [aws_lb_listener.http]
}

################################################################################
# Autoscaling on CPU and on requests per target
################################################################################

resource "aws_appautoscaling_target" "this" {
  count = local.create && var.create_autoscaling ? 1 : 0

  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.this[0].name}/${aws_ecs_service.this[0].name}"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity

  tags = var.tags
}

resource "aws_appautoscaling_policy" "cpu" {
  count = local.create && var.create_autoscaling ? 1 : 0

  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.this[0].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 120
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "requests" {
  count = local.create && var.create_autoscaling ? 1 : 0

  name               = "${var.name}-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.this[0].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.requests_per_target
    scale_in_cooldown  = 120
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${aws_lb.this[0].arn_suffix}/${aws_lb_target_group.this[0].arn_suffix}"
    }
  }
}
