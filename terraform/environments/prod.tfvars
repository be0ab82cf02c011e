# prod: hardened. A NAT gateway and interface endpoints in each of three AZs, Multi-AZ
# database with deletion protection, final snapshot, 14 days of backups and an RDS Proxy,
# several API tasks, WAF on the chat API, DMS change data capture into the lake, Redshift
# Serverless and QuickSight over it, a year of logs, buckets never emptied by Terraform.
# One file for all five stacks: Terraform warns about the values a stack does not declare.
# No secrets here: alarm e-mail addresses, QuickSight owners and the Scalr subjects are
# set as workspace variables in Scalr (or -var on the CLI).

env                = "prod"
region             = "us-east-1"
log_retention_days = 365

# foundation
az_count                   = 3
single_nat_gateway         = false
kms_deletion_window_days   = 30
force_destroy_buckets      = false
log_bucket_expiration_days = 365
ecr_force_delete           = false
# Enable once the Scalr account name is known (scalr_subjects = ["account:<name>:environment:campusbot-prod:workspace:*"]).
create_scalr_oidc_role = false

# data
db_instance_class        = "db.m7g.large"
db_allocated_storage     = 50
db_max_allocated_storage = 500
db_multi_az              = true
db_deletion_protection   = true
db_skip_final_snapshot   = false
db_backup_retention_days = 14
db_apply_immediately     = false
db_performance_insights  = true
db_monitoring_interval   = 60
db_create_proxy          = true
db_logical_replication   = true

# app
api_cpu                    = 1024
api_memory                 = 2048
api_desired_count          = 2
api_min_count              = 2
api_max_count              = 10
alb_deletion_protection    = true
bedrock_invocation_logging = true # account- and region-wide: the one environment per account that owns it
bedrock_guardrail          = true
lambda_reserved_concurrency = {
  fulfillment = 50
  vectorizer  = 5
  lex_proxy   = 50
}

# conversation
create_lex_bot             = true
create_waf                 = true
api_throttling_rate_limit  = 50
api_throttling_burst_limit = 100
api_quota_per_day          = 100000

# analytics
create_dms                  = true
dms_mode                    = "serverless"
dms_multi_az                = true
dms_start_replication       = false
create_redshift             = true
redshift_base_capacity      = 8
create_quicksight           = true # needs the account's QuickSight subscription: false until it exists
glue_catalog_encryption     = true
cognito_deletion_protection = true
