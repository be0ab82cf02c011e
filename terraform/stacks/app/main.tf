data "aws_region" "current" {}

locals {
  name = "campusbot-${var.env}"

  default_tags = merge(var.tags, {
    Project     = "campusbot"
    Environment = var.env
    Stack       = "app"
    ManagedBy   = "terraform"
  })

  vpc_id             = local.in["network/vpc_id"]
  private_subnet_ids = split(",", local.in["network/private_subnet_ids"])
  kms_key_arn        = local.in["kms/key_arn"]
  db_secret_arn      = local.in["rds/master_user_secret_arn"]
  db_client_sg       = local.in["rds/client_security_group_id"]

  api_name         = "${local.name}-api"
  api_log_group    = "/ecs/${local.api_name}"
  fulfillment_name = "${local.name}-fulfillment"
  vectorizer_name  = "${local.name}-vectorizer"
}

################################################################################
# Bedrock: invoke permissions for the chat and embedding models, invocation logging
################################################################################

module "bedrock" {
  source = "../../modules/bedrock"

  name                      = local.name
  chat_model_id             = var.chat_model_id
  embedding_model_id        = var.embedding_model_id
  create_invocation_logging = var.bedrock_invocation_logging
  create_guardrail          = var.bedrock_guardrail
  kms_key_arn               = local.kms_key_arn
  log_retention_days        = var.log_retention_days

  tags = var.tags
}

################################################################################
# Roles: ECS task + execution, fulfillment and vectorizer Lambdas
################################################################################

module "iam" {
  source = "../../modules/iam"

  name_prefix      = local.name
  create_ecs_roles = true
  ecs = {
    ecr_repository_arns = [local.in["ecr/api_repository_arn"]]
    log_group_names     = [local.api_log_group]
    kms_key_arns        = [local.kms_key_arn]
    s3_bucket_arns      = [local.in["s3/docs_bucket_arn"]]
    policy_arns         = { bedrock = module.bedrock.invoke_policy_arn }
    # The task reads the RDS-managed secret per new connection (it rotates), not once at start.
    statements = [
      {
        sid       = "ReadDatabaseSecret"
        actions   = ["secretsmanager:GetSecretValue"]
        resources = [local.db_secret_arn]
      },
      {
        sid       = "DecryptDatabaseSecret"
        actions   = ["kms:Decrypt"]
        resources = [local.kms_key_arn]
        conditions = [{
          test     = "StringEquals"
          variable = "kms:ViaService"
          values   = ["secretsmanager.${data.aws_region.current.id}.amazonaws.com"]
        }]
      },
    ]
  }

  lambda_roles = {
    fulfillment = {
      function_name = local.fulfillment_name
      vpc_access    = true
      kms_key_arns  = [local.kms_key_arn]
    }
    vectorizer = {
      function_name = local.vectorizer_name
      vpc_access    = true
      kms_key_arns  = [local.kms_key_arn]
      policy_arns   = { bedrock = module.bedrock.embedding_policy_arn }
      statements = [
        {
          sid       = "ListDocuments"
          actions   = ["s3:ListBucket"]
          resources = [local.in["s3/docs_bucket_arn"]]
        },
        {
          sid       = "ReadDocuments"
          actions   = ["s3:GetObject", "s3:GetObjectVersion"]
          resources = ["${local.in["s3/docs_bucket_arn"]}/*"]
        },
        {
          sid       = "ReadDatabaseSecret"
          actions   = ["secretsmanager:GetSecretValue"]
          resources = [local.db_secret_arn]
        },
      ]
    }
  }

  tags = var.tags
}

################################################################################
# The API on ECS Fargate behind an internal ALB
################################################################################

module "api" {
  source = "../../modules/ecs_service"

  name               = local.api_name
  vpc_id             = local.vpc_id
  subnet_ids         = local.private_subnet_ids
  alb_subnet_ids     = local.private_subnet_ids
  container_image    = var.api_image_uri
  container_port     = 8000
  health_check_path  = "/healthz"
  log_group_name     = local.api_log_group
  execution_role_arn = module.iam.ecs_task_execution_role_arn
  task_role_arn      = module.iam.ecs_task_role_arn
  cpu                = var.api_cpu
  memory             = var.api_memory
  desired_count      = var.api_desired_count
  create_autoscaling = var.api_autoscaling
  min_capacity       = var.api_min_count
  max_capacity       = var.api_max_count

  alb_ingress_security_group_ids = { fulfillment = module.fulfillment.security_group_id }
  additional_security_group_ids  = [local.db_client_sg]
  alb_access_logs_bucket         = local.in["s3/logs_bucket_name"]
  enable_deletion_protection     = var.alb_deletion_protection

  # module.bedrock.converse_environment: the guardrail (prod) that the API's Converse calls apply.
  environment = merge({
    CAMPUSBOT_TARGET               = "aws"
    CAMPUSBOT_ENV                  = var.env
    CAMPUSBOT_DB_HOST              = local.in["rds/host"]
    CAMPUSBOT_DB_PORT              = local.in["rds/port"]
    CAMPUSBOT_DB_NAME              = local.in["rds/db_name"]
    CAMPUSBOT_DB_SECRET_ARN        = local.db_secret_arn
    CAMPUSBOT_DB_CA_BUNDLE         = "/opt/rds-ca/global-bundle.pem"
    CAMPUSBOT_DOCS_BUCKET          = local.in["s3/docs_bucket_name"]
    CAMPUSBOT_EMBEDDING_MODEL      = var.embedding_model_id
    CAMPUSBOT_EMBEDDING_DIMENSIONS = tostring(var.embedding_dimensions)
    CAMPUSBOT_CHAT_MODEL           = var.chat_model_id
    AWS_REGION                     = data.aws_region.current.id
  }, module.bedrock.converse_environment)

  kms_key_arn        = local.kms_key_arn
  log_retention_days = var.log_retention_days

  tags = var.tags
}

################################################################################
# Lambdas: fulfillment (Lex code hook → API) and vectorizer (documents → pgvector)
################################################################################

module "fulfillment" {
  source = "../../modules/lambda_function"

  function_name      = local.fulfillment_name
  description        = "Lex V2 code hook: answers the intents through the API"
  handler            = "campusbot.lambdas.fulfillment.handler"
  role_arn           = module.iam.lambda_role_arns["fulfillment"]
  artifact_path      = var.lambda_artifacts["fulfillment"].path
  artifact_s3_bucket = var.lambda_artifacts["fulfillment"].s3_bucket
  artifact_s3_key    = var.lambda_artifacts["fulfillment"].s3_key
  source_code_hash   = var.lambda_artifacts["fulfillment"].hash
  timeout            = 30
  memory_size        = 512
  vpc_id             = local.vpc_id
  subnet_ids         = local.private_subnet_ids
  kms_key_arn        = local.kms_key_arn
  log_retention_days = var.log_retention_days
  create_alarms      = false

  reserved_concurrent_executions = lookup(var.lambda_reserved_concurrency, "fulfillment", -1)

  egress_rules = {
    https = {
      description = "HTTPS to AWS APIs (VPC endpoints or NAT)"
      port        = 443
      cidr_ipv4   = "0.0.0.0/0"
    }
    api = {
      description       = "HTTP to the internal ALB of the API"
      port              = 80
      security_group_id = module.api.lb_security_group_id
    }
  }

  environment_variables = {
    CAMPUSBOT_API_URL = "http://${module.api.lb_dns_name}"
    CAMPUSBOT_TARGET  = "aws"
    CAMPUSBOT_ENV     = var.env
  }

  tags = var.tags
}

module "vectorizer" {
  source = "../../modules/lambda_function"

  function_name      = local.vectorizer_name
  description        = "Embeds uploaded documents into pgvector; removes chunks of deleted ones"
  handler            = "campusbot.lambdas.vectorizer.handler"
  role_arn           = module.iam.lambda_role_arns["vectorizer"]
  artifact_path      = var.lambda_artifacts["vectorizer"].path
  artifact_s3_bucket = var.lambda_artifacts["vectorizer"].s3_bucket
  artifact_s3_key    = var.lambda_artifacts["vectorizer"].s3_key
  source_code_hash   = var.lambda_artifacts["vectorizer"].hash
  timeout            = 300
  memory_size        = 1024
  vpc_id             = local.vpc_id
  subnet_ids         = local.private_subnet_ids
  security_group_ids = [local.db_client_sg]
  kms_key_arn        = local.kms_key_arn
  log_retention_days = var.log_retention_days
  create_alarms      = false

  reserved_concurrent_executions = lookup(var.lambda_reserved_concurrency, "vectorizer", -1)

  environment_variables = {
    CAMPUSBOT_DOCS_BUCKET          = local.in["s3/docs_bucket_name"]
    CAMPUSBOT_DB_SECRET_ARN        = local.db_secret_arn
    CAMPUSBOT_DB_HOST              = local.in["rds/host"]
    CAMPUSBOT_DB_PORT              = local.in["rds/port"]
    CAMPUSBOT_DB_NAME              = local.in["rds/db_name"]
    CAMPUSBOT_DB_CA_BUNDLE         = "/var/task/rds-ca/global-bundle.pem"
    CAMPUSBOT_EMBEDDING_MODEL      = var.embedding_model_id
    CAMPUSBOT_EMBEDDING_DIMENSIONS = tostring(var.embedding_dimensions)
    CAMPUSBOT_TARGET               = "aws"
    CAMPUSBOT_ENV                  = var.env
  }

  tags = var.tags
}

# The documents bucket (foundation) notifies the vectorizer of uploads and deletions.
module "docs_notifications" {
  source = "../../modules/s3"

  create_bucket = false
  bucket        = local.in["s3/docs_bucket_name"]
  lambda_notifications = [{
    id           = "vectorize"
    function_arn = module.vectorizer.lambda_function_arn
    events       = ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]
  }]

  tags = var.tags
}
