data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

################################################################################
# The bot definition (src/campusbot/bot/definition.yaml) → CloudFormation resources
#
# Every object below is built with `{ for k, v in {...} : k => v if v != null }` so
# that absent YAML keys are left out of the template instead of becoming JSON null.
################################################################################

locals {
  create     = var.create
  definition = yamldecode(file(var.definition_path))
  bot        = local.definition.bot
  locale     = local.definition.locale
  locale_id  = local.locale.id

  intent_names    = [for intent in local.definition.intents : intent.name]
  slot_type_names = [for st in local.definition.slot_types : st.name]

  # Slot types whose values come from the data (values_from: database) take them from
  # var.slot_type_values when the deploy step passes them; the YAML values are the default.
  slot_type_values = {
    for st in local.definition.slot_types : st.name => [
      for v in try(var.slot_type_values[st.name], st.values) : {
        for k, x in {
          SampleValue = { Value = v.value }
          Synonyms    = length(try(v.synonyms, [])) > 0 ? [for s in v.synonyms : { Value = s }] : null
        } : k => x if x != null
      }
    ]
  }

  slot_types = [
    for st in local.definition.slot_types : {
      for k, v in {
        Name                  = st.name
        Description           = try(st.description, null)
        ValueSelectionSetting = { ResolutionStrategy = try(st.resolution, "OriginalValue") }
        SlotTypeValues        = local.slot_type_values[st.name]
      } : k => v if v != null
    }
  ]

  intents = [
    for intent in local.definition.intents : {
      for k, v in {
        Name                  = intent.name
        Description           = try(intent.description, null)
        ParentIntentSignature = try(intent.builtin, null)
        SampleUtterances      = length(try(intent.utterances, [])) > 0 ? [for u in intent.utterances : { Utterance = u }] : null
        DialogCodeHook        = try(intent.builtin, null) == null ? { Enabled = try(intent.dialog_code_hook, false) } : null
        FulfillmentCodeHook   = { Enabled = try(intent.fulfillment_code_hook, false) }
        Slots = length(try(intent.slots, [])) > 0 ? [
          for slot in intent.slots : {
            for sk, sv in {
              Name         = slot.name
              Description  = try(slot.description, null)
              SlotTypeName = slot.type
              ValueElicitationSetting = {
                SlotConstraint = try(slot.required, false) ? "Required" : "Optional"
                PromptSpecification = {
                  MessageGroupsList = [{ Message = { PlainTextMessage = { Value = slot.prompt } } }]
                  MaxRetries        = try(slot.max_retries, var.default_max_retries)
                  AllowInterrupt    = true
                }
              }
            } : sk => sv if sv != null
          }
        ] : null
        # Slot priorities are declared inline with the slots, so the intent <-> slot id
        # cycle of the aws_lexv2models_* resources does not arise.
        SlotPriorities = length(try(intent.slots, [])) > 0 ? [
          for i, slot in intent.slots : { Priority = i + 1, SlotName = slot.name }
        ] : null
        IntentConfirmationSetting = try(intent.confirmation, null) == null ? null : {
          PromptSpecification = {
            MessageGroupsList = [{ Message = { PlainTextMessage = { Value = intent.confirmation.prompt } } }]
            MaxRetries        = var.default_max_retries
            AllowInterrupt    = true
          }
          DeclinationResponse = {
            MessageGroupsList = [{ Message = { PlainTextMessage = { Value = intent.confirmation.declination } } }]
            AllowInterrupt    = true
          }
        }
      } : k => v if v != null
    }
  ]

  bot_locale = {
    for k, v in {
      LocaleId               = local.locale_id
      Description            = try(local.locale.description, null)
      NluConfidenceThreshold = local.locale.nlu_confidence_threshold
      VoiceSettings          = try(local.locale.voice_id, null) == null ? null : { VoiceId = local.locale.voice_id }
      SlotTypes              = local.slot_types
      Intents                = local.intents
    } : k => v if v != null
  }

  # The fulfillment Lambda is wired on the alias locale settings: the intents only switch
  # their code hooks on; which function runs is a property of the alias.
  alias_locale_settings = [{
    LocaleId = local.locale_id
    BotAliasLocaleSetting = {
      Enabled = true
      CodeHookSpecification = {
        LambdaCodeHook = {
          CodeHookInterfaceVersion = "1.0"
          LambdaArn                = var.fulfillment_lambda_arn
        }
      }
    }
  }]

  conversation_logs = var.enable_conversation_logs ? {
    TextLogSettings = [{
      Enabled = true
      Destination = {
        CloudWatch = {
          CloudWatchLogGroupArn = try(aws_cloudwatch_log_group.conversation[0].arn, "")
          LogPrefix             = "${var.alias_name}/"
        }
      }
    }]
  } : null

  cfn_tags = [for k in sort(keys(var.tags)) : { Key = k, Value = var.tags[k] }]

  # A new version is cut whenever the bot itself changes: the BotVersion's logical id
  # carries a hash of the locale, so CloudFormation creates the new version, moves the
  # alias to it and then deletes the old one.
  definition_hash    = substr(sha256(jsonencode([local.bot, local.bot_locale])), 0, 12)
  version_logical_id = "BotVersion${local.definition_hash}"

  template = {
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "campusbot Lex V2 bot ${var.name}: built, versioned and aliased (generated by terraform/modules/lex_bot)"
    Resources = {
      Bot = {
        Type = "AWS::Lex::Bot"
        Properties = {
          Name                    = var.name
          Description             = try(local.bot.description, "")
          RoleArn                 = var.role_arn
          DataPrivacy             = { ChildDirected = try(local.bot.child_directed, false) }
          IdleSessionTTLInSeconds = try(local.bot.idle_session_ttl_seconds, 300)
          AutoBuildBotLocales     = true
          BotLocales              = [local.bot_locale]
          BotTags                 = local.cfn_tags
          TestBotAliasSettings = {
            BotAliasLocaleSettings = local.alias_locale_settings
          }
        }
      }
      (local.version_logical_id) = {
        Type = "AWS::Lex::BotVersion"
        Properties = {
          BotId       = { Ref = "Bot" }
          Description = "definition ${local.definition_hash}"
          BotVersionLocaleSpecification = [{
            LocaleId                = local.locale_id
            BotVersionLocaleDetails = { SourceBotVersion = "DRAFT" }
          }]
        }
      }
      BotAlias = {
        Type = "AWS::Lex::BotAlias"
        Properties = {
          for k, v in {
            BotId                   = { Ref = "Bot" }
            BotAliasName            = var.alias_name
            Description             = "Serves definition ${local.definition_hash}"
            BotVersion              = { "Fn::GetAtt" = [local.version_logical_id, "BotVersion"] }
            BotAliasLocaleSettings  = local.alias_locale_settings
            ConversationLogSettings = local.conversation_logs
            BotAliasTags            = local.cfn_tags
          } : k => v if v != null
        }
      }
    }
    Outputs = {
      BotId       = { Value = { Ref = "Bot" } }
      BotArn      = { Value = { "Fn::GetAtt" = ["Bot", "Arn"] } }
      BotVersion  = { Value = { "Fn::GetAtt" = [local.version_logical_id, "BotVersion"] } }
      BotAliasId  = { Value = { "Fn::GetAtt" = ["BotAlias", "BotAliasId"] } }
      BotAliasArn = { Value = { "Fn::GetAtt" = ["BotAlias", "Arn"] } }
    }
  }

  template_body = jsonencode(local.template)
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
    precondition {
      condition     = length(local.template_body) <= 51200
      error_message = "The generated template exceeds CloudFormation's 51,200-byte template_body limit."
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
