locals {
  name = "campusbot-${var.env}"

  default_tags = merge(var.tags, {
    Project     = "campusbot"
    Environment = var.env
    Stack       = "data"
    ManagedBy   = "terraform"
  })
}

################################################################################
# PostgreSQL + pgvector: private, encrypted, credentials managed by RDS in Secrets Manager
################################################################################

module "rds" {
  source = "../../modules/rds"

  identifier                   = local.name
  engine_version               = var.db_engine_version
  instance_class               = var.db_instance_class
  allocated_storage            = var.db_allocated_storage
  max_allocated_storage        = var.db_max_allocated_storage
  vpc_id                       = local.in["network/vpc_id"]
  subnet_ids                   = split(",", local.in["network/database_subnet_ids"])
  kms_key_arn                  = local.in["kms/key_arn"]
  multi_az                     = var.db_multi_az
  deletion_protection          = var.db_deletion_protection
  skip_final_snapshot          = var.db_skip_final_snapshot
  backup_retention_period      = var.db_backup_retention_days
  performance_insights_enabled = var.db_performance_insights
  monitoring_interval          = var.db_monitoring_interval
  apply_immediately            = var.db_apply_immediately
  create_proxy                 = var.db_create_proxy
  enable_logical_replication   = var.db_logical_replication

  tags = var.tags
}
