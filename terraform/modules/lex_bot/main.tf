data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

################################################################################
# The bot: the CloudFormation template rendered from src/campusbot/bot/definition.yaml by
# `platform bot render` (src/campusbot/bot/bot.template.json, committed; the local Lex
# emulator runs the same file). Nothing about the bot is derived here: what only the deploy
# knows goes in as stack parameters, and slot types filled from the data take their values
# from var.slot_type_values (the one substitution, below).
################################################################################

locals {
  create   = var.create
  artifact = jsondecode(file(var.template_path))
  metadata = local.artifact.Metadata.Campusbot
  locale   = local.artifact.Resources.Bot.Properties.BotLocales[0]

  locale_id       = local.locale.LocaleId
  intent_names    = [for intent in local.locale.Intents : intent.Name]
  slot_type_names = [for st in local.locale.SlotTypes : st.Name]

  # The deploy-time substitution: the values_from: database slot types (UniversityName) take
  # the values the deploy step passes, in CloudFormation's shape. The rendered values are the
  # default. src/campusbot/bot/cloudformation.py deploy_template() is the Python twin.
  slot_type_values = {
    for name, values in var.slot_type_values : name => [
      for v in values : merge(
        { SampleValue = { Value = v.value } },
        { for k, x in { Synonyms = [for s in v.synonyms : { Value = s }] } : k => x if length(v.synonyms) > 0 },
      )
    ]
  }
  bot_locales = [
    for locale in local.artifact.Resources.Bot.Properties.BotLocales : merge(locale, {
      SlotTypes = [
        for st in locale.SlotTypes : merge(st, {
          for k, x in { SlotTypeValues = try(local.slot_type_values[st.Name], null) } : k => x if x != null
        })
      ]
    })
  ]
  template = merge(local.artifact, {
    Resources = merge(local.artifact.Resources, {
      Bot = merge(local.artifact.Resources.Bot, {
        Properties = merge(local.artifact.Resources.Bot.Properties, { BotLocales = local.bot_locales })
      })
    })
  })

  # A new version is cut whenever the bot changes: the BotVersion's logical id carries a hash of
  # the bot (BotVersion<hash>), so CloudFormation creates the new version, moves the alias to it
  # and then deletes the old one. Deploy-time values change the bot, so they change the hash:
  # the rendered hash is replaced wherever the template names it (logical id, GetAtt, descriptions).
  rendered_hash   = local.metadata.DefinitionHash
  definition_hash = length(local.slot_type_values) == 0 ? local.rendered_hash : substr(sha256(jsonencode([local.rendered_hash, local.slot_type_values])), 0, 12)
  template_body   = replace(jsonencode(local.template), local.rendered_hash, local.definition_hash)

  # Deploy-time values of the template's parameters. Tag<Key> parameters come from var.tags.
  tag_keys = [for name, _ in local.artifact.Parameters : trimprefix(name, "Tag") if startswith(name, "Tag")]
  parameters = merge(
    {
      BotName                 = var.name
      BotRoleArn              = var.role_arn
      FulfillmentLambdaArn    = var.fulfillment_lambda_arn
      AliasName               = var.alias_name
      ConversationLogGroupArn = try(aws_cloudwatch_log_group.conversation[0].arn, "")
    },
    { for key in local.tag_keys : "Tag${key}" => lookup(var.tags, key, "") },
  )
}

################################################################################
# Conversation (text) logs
################################################################################

resource "aws_cloudwatch_log_group" "conversation" {
  count = local.create && var.enable_conversation_logs ? 1 : 0

  name              = var.conversation_log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

################################################################################
# Bot, locale (built), version and alias with the fulfillment code hook
################################################################################

resource "aws_cloudformation_stack" "this" {
  count = local.create ? 1 : 0

  name               = var.name
  template_body      = local.template_body
  parameters         = local.parameters
  iam_role_arn       = var.cloudformation_role_arn
  on_failure         = "DELETE"
  timeout_in_minutes = var.stack_timeout_minutes

  tags = var.tags

  timeouts {
    create = "${var.stack_timeout_minutes}m"
    update = "${var.stack_timeout_minutes}m"
    delete = "${var.stack_timeout_minutes}m"
  }

  lifecycle {
    # checkov:skip=CKV_AWS_124:Stack events surface in the Terraform run that drives the stack; the bot itself is alarmed by the observability module.
    # Bytes, not characters (university names are not all ASCII): base64 of n bytes has
    # 4 * ceil(n / 3) characters, so this holds for n <= 51,198 of the 51,200 allowed.
    precondition {
      condition     = length(base64encode(local.template_body)) <= 68264
      error_message = "The bot template exceeds CloudFormation's 51,200-byte template_body limit (fewer slot values, or deliver it through S3 with template_url)."
    }
    precondition {
      condition     = length(setsubtract(keys(var.slot_type_values), local.metadata.DatabaseSlotTypes)) == 0
      error_message = "slot_type_values may only fill the template's values_from: database slot types (${join(", ", local.metadata.DatabaseSlotTypes)})."
    }
  }
}

resource "aws_lambda_permission" "fulfillment" {
  count = local.create ? 1 : 0

  statement_id  = "AllowLexV2-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = var.fulfillment_lambda_arn
  principal     = "lexv2.amazonaws.com"
  source_arn    = "arn:${data.aws_partition.current.partition}:lex:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:bot-alias/${aws_cloudformation_stack.this[0].outputs["BotId"]}/*"
}
