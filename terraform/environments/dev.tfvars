# dev: cheap and disposable. One NAT gateway, no interface endpoints (the NAT carries AWS API
# traffic), single-AZ burstable database without deletion protection, one small API task,
# no WAF, no DMS, Redshift or QuickSight, short log retention, buckets emptied on destroy.
# One file for all five stacks: Terraform warns about the values a stack does not declare.
# No secrets here: credentials are managed by RDS/Secrets Manager, API keys by API Gateway.

env                = "dev"
region             = "us-east-1"
log_retention_days = 30

# foundation
az_count                   = 2
single_nat_gateway         = true
interface_endpoints        = []
kms_deletion_window_days   = 7
force_destroy_buckets      = true
log_bucket_expiration_days = 30
ecr_force_delete           = true
create_scalr_oidc_role     = false

# data
db_instance_class        = "db.t4g.micro"
db_allocated_storage     = 20
db_max_allocated_storage = 50
db_multi_az              = false
db_deletion_protection   = false
db_skip_final_snapshot   = true
db_backup_retention_days = 1
db_apply_immediately     = true
db_monitoring_interval   = 0
db_create_proxy          = false
db_logical_replication   = false

# app
api_cpu                    = 256
api_memory                 = 512
api_desired_count          = 1
api_min_count              = 1
api_max_count              = 2
alb_deletion_protection    = false
bedrock_invocation_logging = false # account- and region-wide: prod owns it (docs/first-deploy.md); true when dev has its own account
bedrock_guardrail          = false
lambda_reserved_concurrency = {
  fulfillment = -1
  vectorizer  = -1
  lex_proxy   = -1
}

# conversation
create_lex_bot             = true
create_waf                 = false
api_cors_allow_origin      = "" # the web chat's CloudFront URL
api_throttling_rate_limit  = 5
api_throttling_burst_limit = 10
api_quota_per_day          = 2000

# analytics
create_dms                      = false
dms_secret_recovery_window_days = 0
create_redshift                 = false
create_quicksight               = false
glue_catalog_encryption         = false
