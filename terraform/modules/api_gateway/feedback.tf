################################################################################
# POST /feedback: a thumbs up/down on an earlier answer (same Lambda proxy as /chat, which routes by resource;
# recorded as a `feedback` chat event) + OPTIONS /feedback (CORS)
################################################################################

resource "aws_api_gateway_resource" "feedback" {
  count = local.create ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  parent_id   = aws_api_gateway_rest_api.this[0].root_resource_id
  path_part   = "feedback"
}

resource "aws_api_gateway_model" "feedback_request" {
  count = local.create ? 1 : 0

  rest_api_id  = aws_api_gateway_rest_api.this[0].id
  name         = "FeedbackRequest"
  description  = "Body of POST /feedback"
  content_type = "application/json"

  schema = jsonencode({
    "$schema"            = "http://json-schema.org/draft-04/schema#"
    title                = "FeedbackRequest"
    type                 = "object"
    required             = ["turn_id", "session_id", "rating"]
    additionalProperties = false
    properties = {
      turn_id    = { type = "string", pattern = "^[0-9a-f]{32}$" }
      session_id = { type = "string", minLength = 2, maxLength = 100 }
      rating     = { type = "integer", enum = [1, -1] }
    }
  })
}

resource "aws_api_gateway_method" "feedback_post" {
  count = local.create ? 1 : 0

  rest_api_id          = aws_api_gateway_rest_api.this[0].id
  resource_id          = aws_api_gateway_resource.feedback[0].id
  http_method          = "POST"
  authorization        = local.authorizer ? "CUSTOM" : "NONE" # the same sign-in check as POST /chat
  authorizer_id        = local.authorizer ? aws_api_gateway_authorizer.chat[0].id : null
  api_key_required     = true
  request_validator_id = aws_api_gateway_request_validator.body[0].id
  request_models       = { "application/json" = aws_api_gateway_model.feedback_request[0].name }
}

resource "aws_api_gateway_integration" "feedback_post" {
  count = local.create ? 1 : 0

  rest_api_id             = aws_api_gateway_rest_api.this[0].id
  resource_id             = aws_api_gateway_resource.feedback[0].id
  http_method             = aws_api_gateway_method.feedback_post[0].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.lambda_invoke_arn
  timeout_milliseconds    = var.integration_timeout_ms
}

resource "aws_api_gateway_method" "feedback_options" {
  count = local.create ? 1 : 0

  rest_api_id   = aws_api_gateway_rest_api.this[0].id
  resource_id   = aws_api_gateway_resource.feedback[0].id
  http_method   = "OPTIONS"
  authorization = "NONE"

  lifecycle {
    # checkov:skip=CKV2_AWS_53:The preflight has no body to validate.
  }
}

resource "aws_api_gateway_integration" "feedback_options" {
  count = local.create ? 1 : 0

  rest_api_id       = aws_api_gateway_rest_api.this[0].id
  resource_id       = aws_api_gateway_resource.feedback[0].id
  http_method       = aws_api_gateway_method.feedback_options[0].http_method
  type              = "MOCK"
  request_templates = { "application/json" = "{\"statusCode\": 200}" }
}

resource "aws_api_gateway_method_response" "feedback_options" {
  count = local.create ? 1 : 0

  rest_api_id         = aws_api_gateway_rest_api.this[0].id
  resource_id         = aws_api_gateway_resource.feedback[0].id
  http_method         = aws_api_gateway_method.feedback_options[0].http_method
  status_code         = "200"
  response_models     = { "application/json" = "Empty" }
  response_parameters = { for h in keys(local.cors_headers) : "method.response.header.${h}" => true }
}

resource "aws_api_gateway_integration_response" "feedback_options" {
  count = local.create ? 1 : 0

  rest_api_id         = aws_api_gateway_rest_api.this[0].id
  resource_id         = aws_api_gateway_resource.feedback[0].id
  http_method         = aws_api_gateway_method.feedback_options[0].http_method
  status_code         = aws_api_gateway_method_response.feedback_options[0].status_code
  response_parameters = { for h, v in local.cors_headers : "method.response.header.${h}" => v }

  depends_on = [aws_api_gateway_integration.feedback_options]
}

resource "aws_lambda_permission" "feedback" {
  count = local.create ? 1 : 0

  statement_id  = "AllowApiGatewayInvokeFeedback-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = var.lambda_function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this[0].execution_arn}/*/POST/feedback"
}
