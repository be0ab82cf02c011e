locals {
  create            = var.create
  serverless        = local.create && var.mode == "serverless"
  instance          = local.create && var.mode == "instance"
  create_secret     = local.create && var.create_source_secret
  source_secret_arn = local.create_secret ? try(aws_secretsmanager_secret.source[0].arn, null) : var.source_secret_arn

  table_mappings = jsonencode({
    rules = [
      for i, schema in var.include_schemas : {
        "rule-type"   = "selection"
        "rule-id"     = tostring(i + 1)
        "rule-name"   = "include-${schema}"
        "rule-action" = "include"
        "object-locator" = {
          "schema-name" = schema
          "table-name"  = "%"
        }
      }
    ]
  })

  task_settings = jsonencode({
    Logging = {
      EnableLogging = true
      LogComponents = [
        { Id = "SOURCE_CAPTURE", Severity = "LOGGER_SEVERITY_DEFAULT" },
        { Id = "TARGET_APPLY", Severity = "LOGGER_SEVERITY_DEFAULT" },
      ]
    }
    FullLoadSettings = {
      TargetTablePrepMode = "DROP_AND_CREATE"
    }
  })
}

################################################################################
# Network
################################################################################

resource "aws_dms_replication_subnet_group" "this" {
  count = local.create ? 1 : 0

  replication_subnet_group_id          = var.name
  replication_subnet_group_description = "DMS subnets of ${var.name}"
  subnet_ids                           = var.subnet_ids

  tags = var.tags
}

resource "aws_security_group" "this" {
  count = local.create ? 1 : 0

  name        = "${var.name}-dms"
  description = "DMS replication of ${var.name}: egress to the database and HTTPS only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-dms" })
}

resource "aws_vpc_security_group_egress_rule" "https" {
  count = local.create ? 1 : 0

  security_group_id = aws_security_group.this[0].id
  description       = "HTTPS to S3, Secrets Manager and KMS"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = var.tags
}

################################################################################
# Source credentials: DMS reads host, port, user and password from one secret. The RDS-managed
# master secret holds only user and password, so DMS gets its own secret, for a replication
# user, whose value the deploy step writes (Terraform never sees the password):
#   {"username": "...", "password": "...", "host": "...", "port": 5432, "dbname": "..."}
################################################################################

resource "aws_secretsmanager_secret" "source" {
  count = local.create_secret ? 1 : 0

  name                    = coalesce(var.source_secret_name, "${var.name}/dms-source")
  description             = "DMS source connection of ${var.name}: JSON username, password, host, port, dbname of the replication user (written by the deploy step)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.source_secret_recovery_window_days

  tags = var.tags

  lifecycle {
    # checkov:skip=CKV2_AWS_57:The replication user's password is set and rotated by the deploy step together with the database role; a Secrets Manager rotation would break the running CDC task.
  }
}

################################################################################
# Endpoints: RDS PostgreSQL (secret, TLS) → S3 lake (Parquet, SSE-KMS)
################################################################################

resource "aws_dms_endpoint" "source" {
  count = local.create ? 1 : 0

  endpoint_id                     = "${var.name}-source"
  endpoint_type                   = "source"
  engine_name                     = "postgres"
  database_name                   = var.source_database_name
  secrets_manager_arn             = local.source_secret_arn
  secrets_manager_access_role_arn = var.source_secret_access_role_arn
  ssl_mode                        = "require"
  kms_key_arn                     = var.kms_key_arn

  postgres_settings {
    heartbeat_enable    = true
    heartbeat_frequency = 5
    capture_ddls        = true
    plugin_name         = "test_decoding"
  }

  tags = var.tags
}

resource "aws_dms_s3_endpoint" "target" {
  count = local.create ? 1 : 0

  endpoint_id                       = "${var.name}-lake"
  endpoint_type                     = "target"
  bucket_name                       = var.target_bucket_name
  bucket_folder                     = trimsuffix(var.target_prefix, "/")
  service_access_role_arn           = var.target_access_role_arn
  data_format                       = "parquet"
  parquet_version                   = "parquet-2-0"
  compression_type                  = "GZIP"
  encryption_mode                   = "SSE_KMS"
  server_side_encryption_kms_key_id = var.kms_key_arn
  kms_key_arn                       = var.kms_key_arn
  add_column_name                   = true
  timestamp_column_name             = "dms_commit_ts"
  include_op_for_full_load          = true
  cdc_inserts_and_updates           = false
  date_partition_enabled            = true
  date_partition_sequence           = "YYYYMMDD"
  date_partition_delimiter          = "SLASH"

  tags = var.tags
}

################################################################################
# Replication: DMS Serverless (pay per DCU hour) ...
################################################################################

resource "aws_dms_replication_config" "this" {
  count = local.serverless ? 1 : 0

  replication_config_identifier = var.name
  replication_type              = "full-load-and-cdc"
  source_endpoint_arn           = aws_dms_endpoint.source[0].endpoint_arn
  target_endpoint_arn           = aws_dms_s3_endpoint.target[0].endpoint_arn
  table_mappings                = local.table_mappings
  replication_settings          = local.task_settings
  start_replication             = var.start_replication

  compute_config {
    replication_subnet_group_id  = aws_dms_replication_subnet_group.this[0].replication_subnet_group_id
    vpc_security_group_ids       = concat([aws_security_group.this[0].id], var.security_group_ids)
    kms_key_id                   = var.kms_key_arn
    min_capacity_units           = var.serverless_min_capacity_units
    max_capacity_units           = var.serverless_max_capacity_units
    multi_az                     = var.multi_az
    preferred_maintenance_window = var.maintenance_window
  }

  tags = var.tags
}

################################################################################
# ... or a replication instance and task
################################################################################

resource "aws_dms_replication_instance" "this" {
  count = local.instance ? 1 : 0

  replication_instance_id      = var.name
  replication_instance_class   = var.instance_class
  allocated_storage            = var.instance_allocated_storage
  replication_subnet_group_id  = aws_dms_replication_subnet_group.this[0].replication_subnet_group_id
  vpc_security_group_ids       = concat([aws_security_group.this[0].id], var.security_group_ids)
  kms_key_arn                  = var.kms_key_arn
  publicly_accessible          = false
  multi_az                     = var.multi_az
  auto_minor_version_upgrade   = true
  preferred_maintenance_window = var.maintenance_window

  tags = var.tags
}

resource "aws_dms_replication_task" "this" {
  count = local.instance ? 1 : 0

  replication_task_id       = var.name
  migration_type            = "full-load-and-cdc"
  replication_instance_arn  = aws_dms_replication_instance.this[0].replication_instance_arn
  source_endpoint_arn       = aws_dms_endpoint.source[0].endpoint_arn
  target_endpoint_arn       = aws_dms_s3_endpoint.target[0].endpoint_arn
  table_mappings            = local.table_mappings
  replication_task_settings = local.task_settings
  start_replication_task    = var.start_replication

  tags = var.tags

  lifecycle {
    ignore_changes = [replication_task_settings]
  }
}
