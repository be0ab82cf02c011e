data "aws_partition" "current" {}

locals {
  create        = var.create
  major_version = split(".", var.engine_version)[0]
  create_proxy  = local.create && var.create_proxy
  secret_arn    = try(aws_db_instance.this[0].master_user_secret[0].secret_arn, null)
}

################################################################################
# Network: subnet group, the database security group, and a "client" security
# group that anything needing the database (ECS tasks, Lambdas, DMS) attaches.
################################################################################

resource "aws_db_subnet_group" "this" {
  count = local.create ? 1 : 0

  name        = var.identifier
  description = "Database subnets of ${var.identifier}"
  subnet_ids  = var.subnet_ids

  tags = var.tags
}

resource "aws_security_group" "this" {
  count = local.create ? 1 : 0

  name        = "${var.identifier}-db"
  description = "PostgreSQL ${var.identifier}: ingress only from its client security group"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.identifier}-db" })
}

resource "aws_security_group" "client" {
  count = local.create ? 1 : 0

  name        = "${var.identifier}-db-client"
  description = "Attach to reach PostgreSQL ${var.identifier}"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.identifier}-db-client" })

  lifecycle {
    # checkov:skip=CKV2_AWS_5:Attached by the database clients (ECS tasks, Lambdas, DMS), which live in later stacks.
  }
}

resource "aws_vpc_security_group_ingress_rule" "from_client" {
  count = local.create ? 1 : 0

  security_group_id            = aws_security_group.this[0].id
  description                  = "PostgreSQL from the client security group"
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = aws_security_group.client[0].id

  tags = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "from_security_groups" {
  for_each = local.create ? var.allowed_security_group_ids : {}

  security_group_id            = aws_security_group.this[0].id
  description                  = "PostgreSQL from ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = each.value

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "client_to_db" {
  count = local.create ? 1 : 0

  security_group_id            = aws_security_group.client[0].id
  description                  = "PostgreSQL to the database"
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = aws_security_group.this[0].id

  tags = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "proxy_from_client" {
  count = local.create_proxy ? 1 : 0

  security_group_id            = aws_security_group.proxy[0].id
  description                  = "PostgreSQL from the client security group"
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = aws_security_group.client[0].id

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "client_to_proxy" {
  count = local.create_proxy ? 1 : 0

  security_group_id            = aws_security_group.client[0].id
  description                  = "PostgreSQL to the RDS Proxy"
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = aws_security_group.proxy[0].id

  tags = var.tags
}

################################################################################
# Parameter group: TLS only, query logging, optional logical replication (DMS CDC)
################################################################################

resource "aws_db_parameter_group" "this" {
  count = local.create ? 1 : 0

  name        = "${var.identifier}-pg${local.major_version}"
  family      = "postgres${local.major_version}"
  description = "campusbot PostgreSQL ${local.major_version}: TLS only, query logging"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_statement"
    value = var.log_statement
  }

  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.log_min_duration_statement_ms)
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_disconnections"
    value = "1"
  }

  dynamic "parameter" {
    for_each = var.enable_logical_replication ? [1] : []

    content {
      name         = "rds.logical_replication"
      value        = "1"
      apply_method = "pending-reboot"
    }
  }

  dynamic "parameter" {
    for_each = var.parameters

    content {
      name         = parameter.value.name
      value        = parameter.value.value
      apply_method = parameter.value.apply_method
    }
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

################################################################################
# Enhanced monitoring role
################################################################################

data "aws_iam_policy_document" "monitoring_assume" {
  count = local.create && var.monitoring_interval > 0 ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  count = local.create && var.monitoring_interval > 0 ? 1 : 0

  name               = "${var.identifier}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  count = local.create && var.monitoring_interval > 0 ? 1 : 0

  role       = aws_iam_role.monitoring[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

################################################################################
# The instance
################################################################################

resource "aws_db_instance" "this" {
  count = local.create ? 1 : 0

  identifier     = var.identifier
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = var.instance_class
  db_name        = var.db_name
  port           = var.port

  username                      = var.username
  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.kms_key_arn

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn

  db_subnet_group_name   = aws_db_subnet_group.this[0].name
  vpc_security_group_ids = [aws_security_group.this[0].id]
  publicly_accessible    = false
  multi_az               = var.multi_az
  network_type           = "IPV4"
  ca_cert_identifier     = var.ca_cert_identifier

  parameter_group_name                = aws_db_parameter_group.this[0].name
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]

  backup_retention_period   = var.backup_retention_period
  backup_window             = var.backup_window
  maintenance_window        = var.maintenance_window
  copy_tags_to_snapshot     = true
  delete_automated_backups  = false
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = var.skip_final_snapshot
  final_snapshot_identifier = "${var.identifier}-final"

  auto_minor_version_upgrade  = true
  allow_major_version_upgrade = false
  apply_immediately           = var.apply_immediately

  performance_insights_enabled          = var.performance_insights_enabled
  performance_insights_kms_key_id       = var.performance_insights_enabled ? var.kms_key_arn : null
  performance_insights_retention_period = var.performance_insights_enabled ? var.performance_insights_retention_period : null

  monitoring_interval = var.monitoring_interval
  monitoring_role_arn = var.monitoring_interval > 0 ? aws_iam_role.monitoring[0].arn : null

  tags = var.tags

  depends_on = [aws_iam_role_policy_attachment.monitoring]
}

################################################################################
# Optional RDS Proxy (TLS required, authenticates with the RDS-managed secret)
################################################################################

resource "aws_security_group" "proxy" {
  count = local.create_proxy ? 1 : 0

  name        = "${var.identifier}-proxy"
  description = "RDS Proxy of ${var.identifier}"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.identifier}-proxy" })

  lifecycle {
    # checkov:skip=CKV2_AWS_5:Attached to aws_db_proxy.this (created with it when create_proxy is true).
  }
}

resource "aws_vpc_security_group_egress_rule" "proxy_to_db" {
  count = local.create_proxy ? 1 : 0

  security_group_id            = aws_security_group.proxy[0].id
  description                  = "PostgreSQL to the database"
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = aws_security_group.this[0].id

  tags = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "db_from_proxy" {
  count = local.create_proxy ? 1 : 0

  security_group_id            = aws_security_group.this[0].id
  description                  = "PostgreSQL from the RDS Proxy"
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = aws_security_group.proxy[0].id

  tags = var.tags
}

data "aws_iam_policy_document" "proxy_assume" {
  count = local.create_proxy ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["rds.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "proxy" {
  count = local.create_proxy ? 1 : 0

  statement {
    sid       = "ReadMasterSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.secret_arn]
  }

  statement {
    sid       = "DecryptMasterSecret"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["secretsmanager.*.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "proxy" {
  count = local.create_proxy ? 1 : 0

  name               = "${var.identifier}-rds-proxy"
  assume_role_policy = data.aws_iam_policy_document.proxy_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "proxy" {
  count = local.create_proxy ? 1 : 0

  name   = "read-master-secret"
  role   = aws_iam_role.proxy[0].id
  policy = data.aws_iam_policy_document.proxy[0].json
}

resource "aws_db_proxy" "this" {
  count = local.create_proxy ? 1 : 0

  name                   = var.identifier
  engine_family          = "POSTGRESQL"
  role_arn               = aws_iam_role.proxy[0].arn
  vpc_subnet_ids         = var.subnet_ids
  vpc_security_group_ids = [aws_security_group.proxy[0].id]
  require_tls            = true
  idle_client_timeout    = 1800

  auth {
    auth_scheme = "SECRETS"
    iam_auth    = "DISABLED"
    secret_arn  = local.secret_arn
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.proxy]
}

resource "aws_db_proxy_default_target_group" "this" {
  count = local.create_proxy ? 1 : 0

  db_proxy_name = aws_db_proxy.this[0].name

  connection_pool_config {
    max_connections_percent      = 90
    max_idle_connections_percent = 50
    connection_borrow_timeout    = 120
  }
}

resource "aws_db_proxy_target" "this" {
  count = local.create_proxy ? 1 : 0

  db_proxy_name          = aws_db_proxy.this[0].name
  target_group_name      = aws_db_proxy_default_target_group.this[0].name
  db_instance_identifier = aws_db_instance.this[0].identifier
}
