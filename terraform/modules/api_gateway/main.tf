data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  create         = var.create
  authorizer     = local.create && var.authorizer_function_name != null
  log_group_name = "/aws/apigateway/${var.name}"
  cors_headers = {
    "Access-Control-Allow-Origin"  = "'${var.cors_allow_origin}'"
    "Access-Control-Allow-Headers" = "'Content-Type,X-Api-Key,Authorization'"
    "Access-Control-Allow-Methods" = "'OPTIONS,POST'"
  }
}

################################################################################
# Account-level CloudWatch role (one per account and region; needed for stage logs)
################################################################################

data "aws_iam_policy_document" "cloudwatch_assume" {
  count = local.create && var.create_account_cloudwatch_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "cloudwatch" {
  count = local.create && var.create_account_cloudwatch_role ? 1 : 0

  name               = "${var.name}-apigw-cloudwatch"
  assume_role_policy = data.aws_iam_policy_document.cloudwatch_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "cloudwatch" {
  count = local.create && var.create_account_cloudwatch_role ? 1 : 0

  role       = aws_iam_role.cloudwatch[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = local.create && var.create_account_cloudwatch_role ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.cloudwatch[0].arn

  depends_on = [aws_iam_role_policy_attachment.cloudwatch]
}

################################################################################
# REST API: POST /chat (Lambda proxy, API key, validated body) + OPTIONS /chat (CORS)
################################################################################

resource "aws_api_gateway_rest_api" "this" {
  count = local.create ? 1 : 0

  name                         = var.name
  description                  = var.description
  api_key_source               = "HEADER"
  disable_execute_api_endpoint = false

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_resource" "chat" {
  count = local.create ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  parent_id   = aws_api_gateway_rest_api.this[0].root_resource_id
  path_part   = "chat"
}

resource "aws_api_gateway_model" "chat_request" {
  count = local.create ? 1 : 0

  rest_api_id  = aws_api_gateway_rest_api.this[0].id
  name         = "ChatRequest"
  description  = "Body of POST /chat"
  content_type = "application/json"

  schema = jsonencode({
    "$schema"            = "http://json-schema.org/draft-04/schema#"
    title                = "ChatRequest"
    type                 = "object"
    required             = ["message"]
    additionalProperties = false
    properties = {
      message    = { type = "string", minLength = 1, maxLength = var.max_message_length }
      session_id = { type = "string", minLength = 1, maxLength = 100 }
    }
  })
}

resource "aws_api_gateway_request_validator" "body" {
  count = local.create ? 1 : 0

  rest_api_id                 = aws_api_gateway_rest_api.this[0].id
  name                        = "body"
  validate_request_body       = true
  validate_request_parameters = true
}

resource "aws_api_gateway_method" "post" {
  count = local.create ? 1 : 0

  rest_api_id          = aws_api_gateway_rest_api.this[0].id
  resource_id          = aws_api_gateway_resource.chat[0].id
  http_method          = "POST"
  authorization        = local.authorizer ? "CUSTOM" : "NONE"
  authorizer_id        = local.authorizer ? aws_api_gateway_authorizer.chat[0].id : null
  api_key_required     = true
  request_validator_id = aws_api_gateway_request_validator.body[0].id
  request_models       = { "application/json" = aws_api_gateway_model.chat_request[0].name }
}

resource "aws_api_gateway_integration" "post" {
  count = local.create ? 1 : 0

  rest_api_id             = aws_api_gateway_rest_api.this[0].id
  resource_id             = aws_api_gateway_resource.chat[0].id
  http_method             = aws_api_gateway_method.post[0].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.lambda_invoke_arn
  timeout_milliseconds    = var.integration_timeout_ms
}

resource "aws_api_gateway_method" "options" {
  count = local.create ? 1 : 0

  rest_api_id   = aws_api_gateway_rest_api.this[0].id
  resource_id   = aws_api_gateway_resource.chat[0].id
  http_method   = "OPTIONS"
  authorization = "NONE"

  lifecycle {
    # checkov:skip=CKV2_AWS_53:The preflight has no body to validate.
  }
}

resource "aws_api_gateway_integration" "options" {
  count = local.create ? 1 : 0

  rest_api_id       = aws_api_gateway_rest_api.this[0].id
  resource_id       = aws_api_gateway_resource.chat[0].id
  http_method       = aws_api_gateway_method.options[0].http_method
  type              = "MOCK"
  request_templates = { "application/json" = "{\"statusCode\": 200}" }
}

resource "aws_api_gateway_method_response" "options" {
  count = local.create ? 1 : 0

  rest_api_id         = aws_api_gateway_rest_api.this[0].id
  resource_id         = aws_api_gateway_resource.chat[0].id
  http_method         = aws_api_gateway_method.options[0].http_method
  status_code         = "200"
  response_models     = { "application/json" = "Empty" }
  response_parameters = { for h in keys(local.cors_headers) : "method.response.header.${h}" => true }
}

resource "aws_api_gateway_integration_response" "options" {
  count = local.create ? 1 : 0

  rest_api_id         = aws_api_gateway_rest_api.this[0].id
  resource_id         = aws_api_gateway_resource.chat[0].id
  http_method         = aws_api_gateway_method.options[0].http_method
  status_code         = aws_api_gateway_method_response.options[0].status_code
  response_parameters = { for h, v in local.cors_headers : "method.response.header.${h}" => v }

  depends_on = [aws_api_gateway_integration.options]
}

# Every answer API Gateway gives by itself (no key, throttled, too large, the Lambda failed or timed out, the sign-in
# refused ...) has the chat's JSON error shape, {"error": "..."}, and CORS headers, so a browser can read it and a
# client handles one shape. `status = null` keeps AWS's status of that type (DEFAULT_5XX: 502 for a failed Lambda,
# 504 for a timeout). `error = null` passes AWS's own message through ($context.error.messageString, a quoted JSON
# string). The authorizer's three are aws_api_gateway_gateway_response.auth below. The local runtime's gateway
# (campusbot.local.gateway_responses) reads these resources, so both answer alike.
locals {
  gateway_responses = {
    DEFAULT_4XX                    = { status = null, error = null }
    DEFAULT_5XX                    = { status = null, error = "the chat could not answer just now; try again in a moment" }
    INTEGRATION_FAILURE            = { status = null, error = "the chat could not answer just now; try again in a moment" }
    INTEGRATION_TIMEOUT            = { status = null, error = "the answer took too long; try again, or ask a shorter question" }
    API_CONFIGURATION_ERROR        = { status = null, error = "the chat is misconfigured; try again later" }
    AUTHORIZER_CONFIGURATION_ERROR = { status = null, error = "sign-in could not be checked; try again" }
    THROTTLED                      = { status = null, error = "too many messages at once; wait a moment and try again" }
    QUOTA_EXCEEDED                 = { status = null, error = "today's message limit for this key is reached; try again tomorrow" }
    REQUEST_TOO_LARGE              = { status = null, error = "the request is too large" }
    BAD_REQUEST_BODY               = { status = null, error = "the request body is not a chat message" }
    INVALID_API_KEY                = { status = null, error = "missing or unknown API key" }
    WAF_FILTERED                   = { status = null, error = "request blocked; slow down and try again later" }
  }
  error_template = "{\"error\":$context.error.messageString}"
}

# (named `cors` since it first only added CORS headers to DEFAULT_4XX/5XX; kept, so no state moves)
resource "aws_api_gateway_gateway_response" "cors" {
  for_each = local.create ? local.gateway_responses : {}

  rest_api_id         = aws_api_gateway_rest_api.this[0].id
  response_type       = each.key
  status_code         = each.value.status
  response_parameters = { for h, v in local.cors_headers : "gatewayresponse.header.${h}" => v }
  response_templates = {
    "application/json" = each.value.error == null ? local.error_template : jsonencode({ error = each.value.error })
  }
}

# The sign-in check of POST /chat (campusbot.lambdas.authorizer): a REQUEST authorizer with no identity source and
# no result caching, because anonymous requests (no Authorization header) must reach it too and be allowed as
# anonymous; with an identity source API Gateway would answer 401 before calling it, and a cached policy would be
# keyed on nothing. The JWKS is cached inside the Lambda instead. A refused token raises "Unauthorized": 401.
resource "aws_api_gateway_authorizer" "chat" {
  count = local.authorizer ? 1 : 0

  name                             = "${var.name}-signin"
  rest_api_id                      = aws_api_gateway_rest_api.this[0].id
  type                             = "REQUEST"
  authorizer_uri                   = var.authorizer_invoke_arn
  identity_source                  = ""
  authorizer_result_ttl_in_seconds = 0
}

resource "aws_lambda_permission" "authorizer" {
  count = local.authorizer ? 1 : 0

  statement_id  = "AllowApiGatewayAuthorize-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = var.authorizer_function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this[0].execution_arn}/authorizers/${aws_api_gateway_authorizer.chat[0].id}"
}

# What the authorizer's answers become: the chat's JSON error shape ({"error": ...}) with CORS headers.
resource "aws_api_gateway_gateway_response" "auth" {
  for_each = local.authorizer ? {
    UNAUTHORIZED       = { status = "401", error = "sign-in token missing, malformed, expired or not valid for campusbot" }
    ACCESS_DENIED      = { status = "403", error = "not allowed" }
    AUTHORIZER_FAILURE = { status = "500", error = "sign-in could not be checked; try again" }
  } : {}

  rest_api_id         = aws_api_gateway_rest_api.this[0].id
  response_type       = each.key
  status_code         = each.value.status
  response_parameters = { for h, v in local.cors_headers : "gatewayresponse.header.${h}" => v }
  response_templates  = { "application/json" = jsonencode({ error = each.value.error }) }
}

resource "aws_lambda_permission" "this" {
  count = local.create ? 1 : 0

  statement_id  = "AllowApiGatewayInvoke-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = var.lambda_function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this[0].execution_arn}/*/POST/chat"
}

################################################################################
# Deployment and stage (access logs, X-Ray, throttling)
################################################################################

# The deployment is redeployed when what the API serves changes: the triggers hash the attributes
# set here (and resource ids), not whole objects: an attribute left unset (an OPTIONS mock's uri, its
# timeout) is null in the plan and "" or a default after refresh, which redeployed on every run.
resource "aws_api_gateway_deployment" "this" {
  count = local.create ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  description = "campusbot chat API"

  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.chat[0].id,
      aws_api_gateway_model.chat_request[0].schema,
      aws_api_gateway_request_validator.body[0].id,
      [for m in [aws_api_gateway_method.post[0]] :
      [m.id, m.authorization, m.authorizer_id, m.api_key_required, m.request_validator_id, m.request_models]],
      [for a in aws_api_gateway_authorizer.chat : [a.id, a.type, a.authorizer_uri, a.authorizer_result_ttl_in_seconds]],
      { for k, r in aws_api_gateway_gateway_response.auth : k => [r.status_code, r.response_templates] },
      [for m in [aws_api_gateway_method.options[0]] : [m.id, m.authorization]],
      [for i in [aws_api_gateway_integration.post[0]] :
      [i.id, i.type, i.uri, i.integration_http_method, i.timeout_milliseconds]],
      [for i in [aws_api_gateway_integration.options[0]] : [i.id, i.type, i.request_templates]],
      aws_api_gateway_integration_response.options[0].response_parameters,
      { for k, r in aws_api_gateway_gateway_response.cors : k => [r.status_code, r.response_templates, r.response_parameters] },
      # POST /feedback and its preflight (feedback.tf)
      aws_api_gateway_resource.feedback[0].id,
      aws_api_gateway_model.feedback_request[0].schema,
      [for m in [aws_api_gateway_method.feedback_post[0]] :
      [m.id, m.authorization, m.authorizer_id, m.api_key_required, m.request_validator_id, m.request_models]],
      [for i in [aws_api_gateway_integration.feedback_post[0]] :
      [i.id, i.type, i.uri, i.integration_http_method, i.timeout_milliseconds]],
      aws_api_gateway_integration_response.feedback_options[0].response_parameters,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [
    aws_api_gateway_integration.post,
    aws_api_gateway_integration_response.options,
    aws_api_gateway_integration.feedback_post,
    aws_api_gateway_integration_response.feedback_options,
  ]
}

resource "aws_cloudwatch_log_group" "access" {
  count = local.create ? 1 : 0

  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

resource "aws_api_gateway_stage" "this" {
  count = local.create ? 1 : 0

  rest_api_id          = aws_api_gateway_rest_api.this[0].id
  deployment_id        = aws_api_gateway_deployment.this[0].id
  stage_name           = var.stage_name
  xray_tracing_enabled = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access[0].arn
    format = jsonencode({
      requestId          = "$context.requestId"
      extendedRequestId  = "$context.extendedRequestId"
      ip                 = "$context.identity.sourceIp"
      requestTime        = "$context.requestTime"
      httpMethod         = "$context.httpMethod"
      resourcePath       = "$context.resourcePath"
      status             = "$context.status"
      protocol           = "$context.protocol"
      responseLength     = "$context.responseLength"
      integrationLatency = "$context.integrationLatency"
      responseLatency    = "$context.responseLatency"
      apiKeyId           = "$context.identity.apiKeyId"
      errorMessage       = "$context.error.message"
    })
  }

  tags = var.tags

  lifecycle {
    # checkov:skip=CKV_AWS_120:Chat answers are per session and must not be cached.
    # checkov:skip=CKV2_AWS_51:Clients are browsers and apps authenticating with an API key; mutual TLS client certificates do not apply.
  }

  depends_on = [aws_api_gateway_account.this]
}

resource "aws_api_gateway_method_settings" "all" {
  count = local.create ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  stage_name  = aws_api_gateway_stage.this[0].stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = var.logging_level
    data_trace_enabled     = false
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
    caching_enabled        = false
  }

  lifecycle {
    # checkov:skip=CKV_AWS_225:Caching is off on purpose (see the stage).
  }
}

################################################################################
# API key and usage plan
################################################################################

resource "aws_api_gateway_api_key" "this" {
  count = local.create ? 1 : 0

  name        = "${var.name}-default"
  description = "Default key of the chat clients"
  enabled     = true

  tags = var.tags
}

resource "aws_api_gateway_usage_plan" "this" {
  count = local.create ? 1 : 0

  name        = var.name
  description = "Throttling and quota of the chat clients"

  api_stages {
    api_id = aws_api_gateway_rest_api.this[0].id
    stage  = aws_api_gateway_stage.this[0].stage_name
  }

  throttle_settings {
    rate_limit  = var.throttling_rate_limit
    burst_limit = var.throttling_burst_limit
  }

  quota_settings {
    limit  = var.quota_per_day
    period = "DAY"
  }

  tags = var.tags
}

resource "aws_api_gateway_usage_plan_key" "this" {
  count = local.create ? 1 : 0

  key_id        = aws_api_gateway_api_key.this[0].id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.this[0].id
}

################################################################################
# WAF: AWS managed rule groups (common, known bad inputs incl. Log4j, IP reputation)
# and a per-IP rate limit; or an existing web ACL
################################################################################

locals {
  create_waf  = local.create && var.create_waf_web_acl
  waf_acl_arn = local.create_waf ? try(aws_wafv2_web_acl.this[0].arn, null) : var.waf_web_acl_arn
}

# Managed rule groups: IP reputation, anonymising services (Tor, VPN exits; hosting-provider
# addresses are only counted so server-side clients on cloud hosts keep working), the common
# rule set and known bad inputs (Log4j and the like); then a per-IP rate limit.
resource "aws_wafv2_web_acl" "this" {
  count = local.create_waf ? 1 : 0

  name        = var.name
  description = "Protects the campusbot chat API"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  rule {
    name     = "AWSManagedRulesAmazonIpReputationList"
    priority = 10

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAmazonIpReputationList"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "AWSManagedRulesAmazonIpReputationList"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesAnonymousIpList"
    priority = 15

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAnonymousIpList"

        rule_action_override {
          name = "HostingProviderIPList"

          action_to_use {
            count {}
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "AWSManagedRulesAnonymousIpList"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesCommonRuleSet"
    priority = 20

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "AWSManagedRulesCommonRuleSet"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesKnownBadInputsRuleSet"
    priority = 30

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "AWSManagedRulesKnownBadInputsRuleSet"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "RateLimitPerIp"
    priority = 40

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.waf_rate_limit_per_5_minutes
        aggregate_key_type = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "RateLimitPerIp"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = replace(var.name, "-", "")
    sampled_requests_enabled   = true
  }

  tags = var.tags
}

# WAF only logs to groups whose name starts with aws-waf-logs-.
resource "aws_cloudwatch_log_group" "waf" {
  count = local.create_waf ? 1 : 0

  name              = "aws-waf-logs-${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  count = local.create_waf ? 1 : 0

  resource_arn            = aws_wafv2_web_acl.this[0].arn
  log_destination_configs = [aws_cloudwatch_log_group.waf[0].arn]

  redacted_fields {
    single_header {
      name = "x-api-key"
    }
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  count = local.create && (var.create_waf_web_acl || var.waf_web_acl_arn != null) ? 1 : 0

  resource_arn = aws_api_gateway_stage.this[0].arn
  web_acl_arn  = var.create_waf_web_acl ? aws_wafv2_web_acl.this[0].arn : var.waf_web_acl_arn
}
