#!/usr/bin/env bash
# tf_apply_test.sh — `make test-infra`: terraform apply/destroy of the stacks against a moto server.
#
# What it does, from the repo root (after `make install`):
#   1. starts `moto_server` from .venv on a free port (stopped again on exit, by its pid);
#   2. copies terraform/ (plus the bot definition and the analytics queries the stacks read)
#      into a temp dir and writes a provider override there (as tflocal does): every service
#      endpoint → moto, path-style S3, fake credentials, no account/metadata lookups;
#   3. applies foundation → data → app → conversation → analytics with local state in the temp
#      dir, using environments/dev.tfvars plus test overrides: only what moto cannot do is
#      switched off, through the stacks' own variables (the Lex bot, whose moto responses the
#      provider rejects, and the few APIs moto lacks; the list is at moto.tfvars below);
#   4. checks stack outputs, the SSM contract /campusbot/dev/* and the Lambda/ECS wiring with
#      boto3 against moto;
#   5. destroys in reverse order and asserts that nothing is left (buckets, SSM parameters,
#      VPCs, functions, clusters, databases, roles, log groups, queues, topics...).
# Exit status 0 only if every apply, check, destroy and leftover assertion passed.
# Environment: KEEP_WORKDIR=1 keeps the temp dir; TF_APPLY_TEST_STACKS limits the stacks
#              (e.g. "foundation data"); CAMPUSBOT_SHARED_TOOLS as in tf_validate.sh.
set -euo pipefail

START=$(date +%s)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SHARED=${CAMPUSBOT_SHARED_TOOLS:-$(cd "$ROOT/.." && pwd)/shared/tools}
PY=$ROOT/.venv/bin/python
MOTO=$ROOT/.venv/bin/moto_server
STACKS=(${TF_APPLY_TEST_STACKS:-foundation data app conversation analytics})
ENV_NAME=dev

log() { printf '[tf_apply_test %3ss] %s\n' "$(($(date +%s) - START))" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

command -v terraform >/dev/null 2>&1 || die "terraform is not installed"
[ -x "$PY" ] || die "$PY missing (run make install)"
[ -x "$MOTO" ] || die "$MOTO missing (moto[server] is part of the local extra)"

# Same provider mirror handling as tf_validate.sh: the plugin cache lives under a ".terraform"
# folder so that terraform-env's mirror search can never take the cache for the mirror.
tf_use_local_mirror() {
  local env_tool=$SHARED/terraform-env cache_home mirror="${TF_PLUGIN_MIRROR:-}" cand
  cache_home=${XDG_CACHE_HOME:-$HOME/.cache}/campusbot/.terraform
  mkdir -p "$cache_home"
  if [ -z "$mirror" ]; then
    while IFS= read -r cand; do
      if find "$cand" -mindepth 2 -maxdepth 2 -type d | grep -q .; then
        mirror=${cand%/registry.terraform.io/hashicorp/aws}
        break
      fi
    done < <(find / -maxdepth 6 -type d -path '*/registry.terraform.io/hashicorp/aws' \
      -not -path '/proc/*' -not -path '/sys/*' -not -path '*/.terraform/*' -not -path '*plugin-cache*' 2>/dev/null)
  fi
  if [ -n "$mirror" ] && [ -x "$env_tool" ]; then
    eval "$(XDG_CACHE_HOME=$cache_home TF_PLUGIN_MIRROR=$mirror "$env_tool")"
    log "provider mirror: $mirror"
  else
    log "no local provider mirror found: terraform init uses the public registry"
  fi
}
tf_use_local_mirror

WORK=$(mktemp -d "${TMPDIR:-/tmp}/campusbot-tf-apply.XXXXXX")
MOTO_PID=""
cleanup() {
  local rc=$?
  if [ -n "$MOTO_PID" ] && kill -0 "$MOTO_PID" 2>/dev/null; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
  if [ "${KEEP_WORKDIR:-0}" = 1 ] || [ "$rc" -ne 0 ]; then
    log "work dir kept: $WORK (moto log: $WORK/moto.log)"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT

# ------------------------------------------------------------------------------------------
# 1. moto server on a free port
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
ENDPOINT=http://127.0.0.1:$PORT
# AWS managed policies (PowerUserAccess, AmazonDMSVPCManagementRole, ...) are only loaded on request.
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$MOTO" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
for _ in $(seq 1 100); do
  if "$PY" -c "import urllib.request; urllib.request.urlopen('$ENDPOINT/moto-api/', timeout=1)" 2>/dev/null; then
    break
  fi
  kill -0 "$MOTO_PID" 2>/dev/null || die "moto_server exited (see $WORK/moto.log)"
  sleep 0.2
done
log "moto server on $ENDPOINT (pid $MOTO_PID)"

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_ENDPOINT_URL=$ENDPOINT
unset AWS_PROFILE AWS_SESSION_TOKEN

# ------------------------------------------------------------------------------------------
# 2. a copy of the code with the provider pointed at moto
mkdir -p "$WORK/repo/src/campusbot/bot" "$WORK/repo/src/campusbot/analytics"
cp -R terraform "$WORK/repo/terraform"
find "$WORK/repo/terraform" -name .terraform -type d -prune -exec rm -rf {} +
find "$WORK/repo/terraform" \( -name 'terraform.tfstate*' -o -name '*_override.tf' -o -name '.terraform.lock.hcl' \) -delete
cp src/campusbot/bot/definition.yaml "$WORK/repo/src/campusbot/bot/"
cp -R src/campusbot/analytics/queries "$WORK/repo/src/campusbot/analytics/queries"

SERVICES=(acm apigateway applicationautoscaling athena bedrock cloudformation cloudwatch
  dms ec2 ecr ecs elbv2 events firehose glue iam kms lambda lexv2models logs quicksight rds redshift
  redshiftserverless s3 secretsmanager sns sqs ssm sts wafv2 xray)
{
  echo "# Generated by scripts/tf_apply_test.sh: every endpoint points at moto ($ENDPOINT). The account id
# is asked from moto's STS (some ARNs, e.g. Athena workgroups', are built from it)."
  echo 'provider "aws" {'
  echo '  access_key                  = "test"'
  echo '  secret_key                  = "test"'
  echo '  s3_use_path_style           = true'
  echo '  skip_credentials_validation = true'
  echo '  skip_metadata_api_check     = true'
  echo '  skip_region_validation      = true'
  echo '  max_retries                 = 2'
  echo ''
  echo '  endpoints {'
  for s in "${SERVICES[@]}"; do printf '    %-18s = "%s"\n' "$s" "$ENDPOINT"; done
  echo '  }'
  echo '}'
} >"$WORK/provider_override.tf"

# tiny Lambda artifacts (the real ones come from the CLI's packaging step)
ARTIFACTS_HCL=$("$PY" - "$WORK" <<'PYEOF'
import base64, hashlib, sys, zipfile
work = sys.argv[1]
lines = []
for fn in ("lex_proxy", "fulfillment", "vectorizer"):
    path = f"{work}/{fn}.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"campusbot/lambdas/{fn}.py", "def handler(event, context):\n    return {}\n")
        z.writestr("campusbot/__init__.py", "")
        z.writestr("campusbot/lambdas/__init__.py", "")
    digest = base64.b64encode(hashlib.sha256(open(path, "rb").read()).digest()).decode()
    lines.append(f'  {fn} = {{ path = "{path}", hash = "{digest}" }}')
print("lambda_artifacts = {\n" + "\n".join(lines) + "\n}")
PYEOF
)

# What moto cannot do, switched off with the stacks' own variables (everything else of dev runs):
#   create_lex_bot           moto's lexv2-models responses are rejected by the provider, and
#                            CloudFormation in moto has no AWS::Lex::* resources
#   athena_named_queries     moto has no DeleteNamedQuery, so destroy would fail
#   bedrock_guardrail        no guardrails in moto (already off in dev)
#   create_dms               off in dev; moto's DMS is unusable with the provider anyway (no
#                            ModifyEndpoint, which the S3 endpoint needs; timestamps as strings)
#   api_autoscaling          moto's application-autoscaling has no ListTagsForResource, which the
#                            provider calls for the (default-)tagged scalable target
#   create_redshift          moto has no redshift-serverless
#   create_quicksight        off in dev (and needs a subscription)
cat >"$WORK/moto.tfvars" <<EOF
$ARTIFACTS_HCL
api_image_uri          = "123456789012.dkr.ecr.us-east-1.amazonaws.com/campusbot-dev/api:test"
create_lex_bot         = false
bot_id                 = "MOTOBOTID"
bot_alias_id           = "MOTOALIAS"
lex_slot_type_values   = { UniversityName = [{ value = "Moto University", synonyms = ["MU"] }] }
athena_named_queries   = false
api_autoscaling        = false
create_redshift        = false
create_quicksight      = false
create_scalr_oidc_role = true
scalr_subjects         = ["account:campusbot:environment:campusbot-dev:workspace:*"]
create_waf             = true
EOF

stack_dir() { echo "$WORK/repo/terraform/stacks/$1"; }

tf() {
  local stack=$1
  shift
  terraform -chdir="$(stack_dir "$stack")" "$@" -no-color
}

run_logged() {
  local name=$1
  shift
  if ! "$@" >"$WORK/$name.log" 2>&1; then
    tail -n 60 "$WORK/$name.log" >&2
    die "$name failed (full log: $WORK/$name.log)"
  fi
}

VARFILES=(-var-file="$WORK/repo/terraform/environments/$ENV_NAME.tfvars" -var-file="$WORK/moto.tfvars")

# ------------------------------------------------------------------------------------------
# 3. apply in order
terraform -chdir="$(stack_dir foundation)" init -backend=false -input=false -no-color >/dev/null 2>&1 || true
for s in "${STACKS[@]}"; do
  cp "$WORK/provider_override.tf" "$(stack_dir "$s")/moto_provider_override.tf"
  run_logged "init-$s" tf "$s" init -input=false
  log "apply $s"
  run_logged "apply-$s" tf "$s" apply -auto-approve -input=false -compact-warnings "${VARFILES[@]}"
  tf "$s" output -json >"$WORK/outputs-$s.json"
  log "applied $s: $(grep -c '"type":' "$(stack_dir "$s")/terraform.tfstate" 2>/dev/null || echo '?') resource instances in state"
done

# ------------------------------------------------------------------------------------------
# 4. checks against moto
log "checking outputs, SSM parameters and wiring"
"$PY" - "$WORK" "$ENV_NAME" "${STACKS[@]}" <<'PYEOF'
import json, sys
import boto3

work, env, stacks = sys.argv[1], sys.argv[2], sys.argv[3:]
failures = []

def check(cond, msg):
    print(("  ok    " if cond else "  FAIL  ") + msg, file=sys.stderr)
    if not cond:
        failures.append(msg)

outputs = {s: {k: v["value"] for k, v in json.load(open(f"{work}/outputs-{s}.json")).items()} for s in stacks}
ssm = boto3.client("ssm")
params = {}
for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=f"/campusbot/{env}/", Recursive=True):
    params.update({p["Name"]: p["Value"] for p in page["Parameters"]})

# every parameter a stack says it writes exists and is non-empty
for s in stacks:
    names = outputs[s].get("ssm_parameter_names", [])
    check(len(names) > 0, f"{s}: writes SSM parameters ({len(names)})")
    for n in names:
        check(bool(params.get(n)), f"{s}: {n} = {params.get(n)!r}")

p = lambda key: params.get(f"/campusbot/{env}/{key}")
if "foundation" in stacks:
    ec2, s3 = boto3.client("ec2"), boto3.client("s3")
    vpc = ec2.describe_vpcs(VpcIds=[p("network/vpc_id")])["Vpcs"][0]
    check(vpc["VpcId"] == outputs["foundation"]["vpc_id"], "foundation: VPC of the output is the VPC of SSM")
    check(len(p("network/private_subnet_ids").split(",")) == 2, "foundation: 2 private subnets")
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    for key in ("docs_bucket_name", "lake_bucket_name", "logs_bucket_name"):
        check(p(f"s3/{key}") in buckets, f"foundation: bucket {p(f's3/{key}')} exists")
    enc = s3.get_bucket_encryption(Bucket=p("s3/docs_bucket_name"))["ServerSideEncryptionConfiguration"]["Rules"][0]
    check(enc["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms", "foundation: docs bucket is SSE-KMS")
    pab = s3.get_public_access_block(Bucket=p("s3/lake_bucket_name"))["PublicAccessBlockConfiguration"]
    check(all(pab.values()), "foundation: lake bucket blocks public access")
    policy = json.loads(s3.get_bucket_policy(Bucket=p("s3/docs_bucket_name"))["Policy"])
    check(any(st.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false" for st in policy["Statement"]),
          "foundation: docs bucket policy denies plain HTTP")
if "data" in stacks:
    db = boto3.client("rds").describe_db_instances(DBInstanceIdentifier=p("rds/instance_id"))["DBInstances"][0]
    check(db["PubliclyAccessible"] is False, "data: database is not publicly accessible")
    check(db["StorageEncrypted"] is True, "data: database storage is encrypted")
    check(bool(db.get("MasterUserSecret", {}).get("SecretArn")), "data: master password managed in Secrets Manager")
if "app" in stacks:
    lam = boto3.client("lambda")
    env_of = lambda name: lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    fenv = env_of(p("lambda/fulfillment_name"))
    check(fenv.get("CAMPUSBOT_API_URL") == p("app/api_url") and fenv.get("CAMPUSBOT_TARGET") == "aws",
          f"app: fulfillment reaches the ALB ({fenv.get('CAMPUSBOT_API_URL')})")
    venv = env_of(p("lambda/vectorizer_name"))
    check(venv.get("CAMPUSBOT_DB_SECRET_ARN") == p("rds/master_user_secret_arn")
          and venv.get("CAMPUSBOT_DOCS_BUCKET") == p("s3/docs_bucket_name")
          and venv.get("CAMPUSBOT_EMBEDDING_DIMENSIONS") == "1024", "app: vectorizer env wired to RDS, docs bucket, Titan v2")
    lb = boto3.client("elbv2").describe_load_balancers()["LoadBalancers"]
    check(any(l["DNSName"] == p("app/alb_dns_name") and l["Scheme"] == "internal" for l in lb), "app: ALB is internal")
    svc = boto3.client("ecs").describe_services(cluster=p("app/ecs_cluster_name"), services=[p("app/ecs_service_name")])["services"][0]
    td = boto3.client("ecs").describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
    c = td["containerDefinitions"][0]
    check(c.get("readonlyRootFilesystem") is True and c.get("user") not in (None, "root", "0"), "app: API container read-only and non-root")
    check({s["name"] for s in c.get("secrets", [])} == {"CAMPUSBOT_DB_USER", "CAMPUSBOT_DB_PASSWORD"}, "app: DB credentials come from Secrets Manager")
    notif = boto3.client("s3").get_bucket_notification_configuration(Bucket=p("s3/docs_bucket_name"))
    arns = [n["LambdaFunctionArn"] for n in notif.get("LambdaFunctionConfigurations", [])]
    check(any(a.endswith(":" + p("lambda/vectorizer_name")) for a in arns), "app: docs bucket notifies the vectorizer")
if "conversation" in stacks:
    lenv = boto3.client("lambda").get_function_configuration(FunctionName=p("lambda/lex_proxy_name"))["Environment"]["Variables"]
    check(lenv.get("CAMPUSBOT_BOT_ALIAS_ID") == p("lex/bot_alias_id") == outputs["conversation"]["bot_alias_id"],
          "conversation: lex_proxy gets the bot alias id")
    check(lenv.get("CAMPUSBOT_LAKE_BUCKET") == p("s3/lake_bucket_name"), "conversation: lex_proxy writes to the lake")
    check(outputs["conversation"]["chat_url"].endswith("/chat"), f"conversation: chat URL {outputs['conversation']['chat_url']}")
if "analytics" in stacks:
    t = boto3.client("glue").get_table(DatabaseName=p("analytics/glue_database_name"), Name=p("analytics/chat_events_table"))["Table"]
    check(t["Parameters"].get("projection.dt.type") == "date", "analytics: chat_events uses partition projection on dt")
    wg = boto3.client("athena").get_work_group(WorkGroup=p("analytics/athena_workgroup"))["WorkGroup"]
    check(wg["Configuration"]["EnforceWorkGroupConfiguration"] is True, "analytics: Athena workgroup enforces its settings")
    stream = boto3.client("firehose").describe_delivery_stream(DeliveryStreamName=p("analytics/chat_events_stream"))
    dest = stream["DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"]
    check(dest["BucketARN"] == p("s3/lake_bucket_arn") and dest["Prefix"].startswith("chat-events/dt="),
          f"analytics: chat events stream writes {dest['Prefix']} of the lake")
    filters = boto3.client("logs").describe_subscription_filters(logGroupName=p("lambda/lex_proxy_log_group"))["subscriptionFilters"]
    check(any(f["destinationArn"] == stream["DeliveryStreamDescription"]["DeliveryStreamARN"] for f in filters),
          "analytics: lex_proxy's log group is subscribed to the stream")

if failures:
    print(f"{len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
PYEOF

# ------------------------------------------------------------------------------------------
# 5. destroy in reverse order, then nothing may be left
for ((i = ${#STACKS[@]} - 1; i >= 0; i--)); do
  s=${STACKS[$i]}
  log "destroy $s"
  run_logged "destroy-$s" tf "$s" destroy -auto-approve -input=false -compact-warnings "${VARFILES[@]}"
  left=$(tf "$s" state list 2>/dev/null | grep -v '^data\.' || true)
  [ -z "$left" ] || die "$s: resources left in state after destroy: $left"
done

log "asserting that nothing is left in moto"
"$PY" - <<'PYEOF'
import sys
import boto3

left = []
def none_left(what, items):
    items = list(items)
    print(("  ok    " if not items else "  FAIL  ") + f"{what}: {len(items)} left {items[:5] if items else ''}", file=sys.stderr)
    if items:
        left.append(what)

ec2 = boto3.client("ec2")
none_left("S3 buckets", [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]])
none_left("SSM parameters", [p["Name"] for p in boto3.client("ssm").describe_parameters()["Parameters"]])
none_left("VPCs (other than the default)", [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]])
none_left("subnets (outside the default VPC)",
          [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if not s.get("DefaultForAz")])
none_left("NAT gateways", [n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] != "deleted"])
none_left("Elastic IPs", [a.get("AllocationId") for a in ec2.describe_addresses()["Addresses"]])
none_left("VPC endpoints", [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"] not in ("deleted", "Deleted")])
none_left("security groups (other than default)", [g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"] != "default"])
none_left("Lambda functions", [f["FunctionName"] for f in boto3.client("lambda").list_functions()["Functions"]])
ecs = boto3.client("ecs")
cluster_arns = ecs.list_clusters()["clusterArns"]
none_left("ECS clusters (deleted ones stay listed as INACTIVE)",
          [c["clusterName"] for c in ecs.describe_clusters(clusters=cluster_arns)["clusters"] if c["status"] != "INACTIVE"]
          if cluster_arns else [])
none_left("load balancers", [l["LoadBalancerName"] for l in boto3.client("elbv2").describe_load_balancers()["LoadBalancers"]])
none_left("DB instances", [d["DBInstanceIdentifier"] for d in boto3.client("rds").describe_db_instances()["DBInstances"]])
none_left("secrets not scheduled for deletion",
          [s["Name"] for s in boto3.client("secretsmanager").list_secrets()["SecretList"] if not s.get("DeletedDate")])
none_left("ECR repositories", [r["repositoryName"] for r in boto3.client("ecr").describe_repositories()["repositories"]])
none_left("IAM roles", [r["RoleName"] for r in boto3.client("iam").list_roles()["Roles"]])
none_left("IAM policies", [p["PolicyName"] for p in boto3.client("iam").list_policies(Scope="Local")["Policies"]])
none_left("OIDC providers", boto3.client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"])
none_left("log groups", [g["logGroupName"] for g in boto3.client("logs").describe_log_groups()["logGroups"]])
none_left("SQS queues", boto3.client("sqs").list_queues().get("QueueUrls", []))
none_left("SNS topics", [t["TopicArn"] for t in boto3.client("sns").list_topics()["Topics"]])
none_left("alarms", [a["AlarmName"] for a in boto3.client("cloudwatch").describe_alarms()["MetricAlarms"]])
none_left("dashboards", [d["DashboardName"] for d in boto3.client("cloudwatch").list_dashboards()["DashboardEntries"]])
none_left("REST APIs", [a["name"] for a in boto3.client("apigateway").get_rest_apis()["items"]])
none_left("Firehose streams", boto3.client("firehose").list_delivery_streams()["DeliveryStreamNames"])
none_left("Glue databases", [d["Name"] for d in boto3.client("glue").get_databases()["DatabaseList"]])
none_left("Athena workgroups (other than primary)",
          [w["Name"] for w in boto3.client("athena").list_work_groups()["WorkGroups"] if w["Name"] != "primary"])
none_left("DMS endpoints", [e["EndpointIdentifier"] for e in boto3.client("dms").describe_endpoints()["Endpoints"]])
none_left("DMS replication instances",
          [r["ReplicationInstanceIdentifier"] for r in boto3.client("dms").describe_replication_instances()["ReplicationInstances"]])
kms = boto3.client("kms")
none_left("KMS keys not pending deletion",
          [k["KeyId"] for k in kms.list_keys()["Keys"] if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] != "PendingDeletion"])
if left:
    sys.exit(1)
PYEOF

log "PASS: applied and destroyed ${STACKS[*]} against moto in $(($(date +%s) - START))s"
