#!/usr/bin/env bash
# tf_validate.sh — `make validate`: every offline check of the Terraform, from the repo root.
#
#   1. terraform fmt -check -recursive        (terraform/, and scalr/ when it exists)
#   2. terraform validate in every module and stack of terraform/ (init -backend=false in each stack; the
#      modules share one initialized data dir)
#      (providers from the local filesystem mirror via ../shared/tools/terraform-env; skipped,
#      and said so, where no terraform binary exists)
#   3. tfcheck (hashicorp/aws 6.x schema, module wiring, references): 0 findings
#   4. checkov over terraform/: 0 failed checks (skips only as inline #checkov:skip comments).
#      checkov lives in its own venv, kept per machine under ~/.cache/campusbot, created here when missing.
#   5. the Lex bot's CloudFormation template (`platform bot check`): current with definition.yaml,
#      0 cfn-lint errors (committed and as deployed with the data's slot values), within the
#      1 MB limit of a template deployed from S3 (the conversation stack uploads it; inline is 51,200).
#
# Exits non-zero when any step fails; prints a summary either way.
# Environment: TF_VALIDATE_JOBS (parallel validate jobs, default 4), CHECKOV_VERSION (pip spec),
#              CAMPUSBOT_SHARED_TOOLS (folder of terraform-env and tfcheck, default ../shared/tools).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SHARED=${CAMPUSBOT_SHARED_TOOLS:-$(cd "$ROOT/.." && pwd)/shared/tools}
PY=$ROOT/.venv/bin/python
CHECKOV_SPEC=${CHECKOV_VERSION:-checkov>=3.2,<4}
# checkov's venv is kept per machine, not per clone (like Terraform's plugin cache): installing it costs about a
# minute of CPU, and a fresh clone (CI's) would pay it at every run. Keyed by the pip spec and the Python version;
# a venv whose checkov does not start is made again. CHECKOV_VENV names another.
ckv_key=$(printf '%s|%s' "$CHECKOV_SPEC" "$("${PYTHON:-python3}" -c 'import sys; print(sys.version)' 2>/dev/null)" \
  | sha256sum | cut -c1-12)
CHECKOV_VENV=${CHECKOV_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/campusbot/checkov-$ckv_key}
JOBS=${TF_VALIDATE_JOBS:-4}

# tf_use_local_mirror: the local provider mirror and a private plugin cache (scripts/tf_mirror.sh)
source "$ROOT/scripts/tf_mirror.sh"

SCAN_DIRS=(terraform)
[ -d scalr ] && SCAN_DIRS+=(scalr)

declare -a SUMMARY=() TIMES=()
FAILED=0
ok() { SUMMARY+=("  ok    $1"); }
bad() { SUMMARY+=("  FAIL  $1"); FAILED=1; }
skip() { SUMMARY+=("  skip  $1"); }
# Each step's wall time and CPU time (user + sys of this shell and the children it waited for), in the summary:
# on a shared machine the wall time says little, the CPU time what the step costs.
# `times` runs in this shell (a $(...) subshell would report its own, empty, rusage), into a file awk then reads.
TIMES_FILE=$(mktemp)
trap 'rm -f "$TIMES_FILE"' EXIT
cpu_seconds() {
  times >"$TIMES_FILE"
  CPU_NOW=$(awk 'function s(t) { split(t, a, "m"); return a[1] * 60 + a[2] }
    { total += s($1) + s($2) } END { printf "%.1f", total }' "$TIMES_FILE")
}
STEP="" STEP_WALL=0 STEP_CPU=0
step_end() {
  [ -n "$STEP" ] || return 0
  cpu_seconds
  TIMES+=("$(awk -v step="$STEP" -v w0="$STEP_WALL" -v w1="$(date +%s.%N)" -v c0="$STEP_CPU" -v c1="$CPU_NOW" \
    'BEGIN { printf "  %-14s %6.1f s wall %6.1f s CPU", step, w1 - w0, c1 - c0 }')")
  STEP=""
}
# hr "<step name>: <what it runs>"
hr() {
  step_end
  cpu_seconds
  STEP=${1%%:*} STEP_WALL=$(date +%s.%N) STEP_CPU=$CPU_NOW
  printf '\n== %s\n' "${1#*: }" >&2
}

# ------------------------------------------------------------------------------------------
hr "fmt: terraform fmt -check -recursive ${SCAN_DIRS[*]}"
if command -v terraform >/dev/null 2>&1; then
  if out=$(terraform fmt -check -recursive -list=true "${SCAN_DIRS[@]}" 2>&1); then
    ok "terraform fmt (${SCAN_DIRS[*]})"
  else
    printf '%s\n' "$out" >&2
    bad "terraform fmt: files need 'terraform fmt' (listed above)"
  fi
else
  echo "terraform is not installed: fmt skipped" >&2
  skip "terraform fmt (no terraform binary)"
fi

# ------------------------------------------------------------------------------------------
hr "validate: terraform init -backend=false + validate (modules and stacks)"
if command -v terraform >/dev/null 2>&1; then
  tf_use_local_mirror
  mapfile -t TF_DIRS < <(find terraform/modules terraform/stacks -mindepth 1 -maxdepth 1 -type d | sort)
  LOGS=$(mktemp -d)
  # The modules (no module calls of their own, the one provider the warm folder's lock file names) are validated
  # against one shared, initialized data dir (TF_DATA_DIR) instead of an init each: an init costs about 1.7 s of CPU,
  # and validate then checks each module against the same provider schema. A module that needs more than that data
  # dir has (another provider, a module call) gets its own init, as the stacks do.
  MODULES_DATA=$LOGS/modules-data
  validate_dir() {
    local dir=$1 log=$2
    {
      echo "--- $dir"
      if [ "${dir#terraform/modules/}" != "$dir" ] && [ -d "$MODULES_DATA/providers" ] \
          && ! grep -qE '^[[:space:]]*module[[:space:]]+"' "$dir"/*.tf; then
        if TF_DATA_DIR=$MODULES_DATA terraform -chdir="$dir" validate -no-color >"$log.shared" 2>&1; then
          cat "$log.shared"
          return 0
        elif ! grep -qE "terraform init|Inconsistent dependency lock|Missing required provider" "$log.shared"; then
          cat "$log.shared"
          return 1
        fi
        echo "(the shared data dir does not fit $dir: its own init)"
      fi
      terraform -chdir="$dir" init -backend=false -input=false -no-color >/dev/null 2>"$log.init" \
        || { cat "$log.init"; echo "init failed"; return 1; }
      terraform -chdir="$dir" validate -no-color || return 1
    } >"$log" 2>&1
  }
  # Warm the plugin cache with one init first (into the modules' shared data dir): parallel inits into an empty
  # cache race. Then give
  # every folder without a lock file the warm one's (they are git-ignored): with no lock file,
  # Terraform re-installs from the mirror into the shared cache on each init, and parallel
  # installs there race (seen in CI: one folder in 22 failed to init). With a lock file that
  # matches the cache, init only links the cached provider.
  TF_DATA_DIR=$MODULES_DATA terraform -chdir="${TF_DIRS[0]}" init -backend=false -input=false -no-color \
    >/dev/null 2>&1 || rm -rf "$MODULES_DATA"
  if [ -f "${TF_DIRS[0]}/.terraform.lock.hcl" ]; then
    for d in "${TF_DIRS[@]:1}"; do
      [ -f "$d/.terraform.lock.hcl" ] || cp "${TF_DIRS[0]}/.terraform.lock.hcl" "$d/.terraform.lock.hcl"
    done
  fi
  i=0
  for d in "${TF_DIRS[@]}"; do
    validate_dir "$d" "$LOGS/$i" &
    i=$((i + 1))
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  done
  wait
  # A folder whose init failed gets one serial retry, said so in the output: what fails twice,
  # alone, is a real failure.
  i=0
  for d in "${TF_DIRS[@]}"; do
    if ! grep -q "Success! The configuration is valid" "$LOGS/$i" 2>/dev/null && grep -q "init failed" "$LOGS/$i"; then
      echo "init failed in $d; retrying it alone:" >&2
      cat "$LOGS/$i" >&2
      validate_dir "$d" "$LOGS/$i"
    fi
    i=$((i + 1))
  done
  vfail=0
  i=0
  for d in "${TF_DIRS[@]}"; do
    if grep -q "Success! The configuration is valid" "$LOGS/$i" 2>/dev/null; then
      echo "valid  $d" >&2
    else
      vfail=$((vfail + 1))
      cat "$LOGS/$i" >&2
    fi
    i=$((i + 1))
  done
  rm -rf "$LOGS"
  if [ "$vfail" -eq 0 ]; then
    ok "terraform validate: ${#TF_DIRS[@]} folders valid"
  else
    bad "terraform validate: $vfail of ${#TF_DIRS[@]} folders invalid"
  fi
else
  echo "terraform is not installed: init/validate skipped (tfcheck below still checks the schema offline)" >&2
  skip "terraform validate (no terraform binary)"
fi

# ------------------------------------------------------------------------------------------
hr "tfcheck: tfcheck ${SCAN_DIRS[*]}"
if [ ! -x "$PY" ]; then
  bad "tfcheck: $PY missing (run make install)"
elif [ ! -f "$SHARED/tfcheck" ]; then
  bad "tfcheck: $SHARED/tfcheck not found (set CAMPUSBOT_SHARED_TOOLS)"
else
  tfcheck_out=$("$PY" "$SHARED/tfcheck" "${SCAN_DIRS[@]}" 2>&1)
  tfcheck_rc=$?
  printf '%s\n' "$tfcheck_out" >&2
  tfcheck_line=$(printf '%s\n' "$tfcheck_out" | tail -n 1)
  if [ "$tfcheck_rc" -eq 0 ]; then
    ok "$tfcheck_line"
  else
    bad "$tfcheck_line"
  fi
fi

# ------------------------------------------------------------------------------------------
hr "checkov: checkov -d terraform"
checkov_ready() { "$CHECKOV_VENV/bin/python" -c 'import importlib.metadata as m; m.version("checkov")' 2>/dev/null; }
mkdir -p "$(dirname "$CHECKOV_VENV")"
# one install at a time per machine: two clones' checks may start together
exec 9>"$CHECKOV_VENV.lock"
flock 9
if [ -d "$CHECKOV_VENV" ] && ! checkov_ready; then
  echo "the checkov venv $CHECKOV_VENV is incomplete: installing it again" >&2
  rm -rf "$CHECKOV_VENV"
fi
if [ ! -x "$CHECKOV_VENV/bin/checkov" ]; then
  echo "installing checkov into $CHECKOV_VENV ($CHECKOV_SPEC)" >&2
  PYTHON_FOR_VENV=${PYTHON:-python3}
  if ! { "$PYTHON_FOR_VENV" -m venv "$CHECKOV_VENV" \
      && "$CHECKOV_VENV/bin/python" -m pip install --quiet --upgrade pip \
      && "$CHECKOV_VENV/bin/python" -m pip install --quiet "$CHECKOV_SPEC"; } >&2; then
    bad "checkov: could not install into $CHECKOV_VENV"
    rm -rf "$CHECKOV_VENV"
  fi
fi
flock -u 9
exec 9>&-
if [ -x "$CHECKOV_VENV/bin/checkov" ]; then
  ckv_json=$(mktemp)
  "$CHECKOV_VENV/bin/checkov" -d terraform --framework terraform --skip-download --quiet \
    -o json >"$ckv_json" 2>/dev/null
  ckv_rc=$?
  ckv_summary=$("$PY" - "$ckv_json" <<'PYEOF'
import json, sys
try:
    data = json.load(open(sys.argv[1]))
except ValueError:
    print("checkov produced no JSON report")
    sys.exit(1)
reports = data if isinstance(data, list) else [data]
totals = {"passed": 0, "failed": 0, "skipped": 0}
for report in reports:
    for key in totals:
        totals[key] += int(report.get("summary", {}).get(key, 0))
    for check in report.get("results", {}).get("failed_checks", []):
        lines = check.get("file_line_range") or ["?", "?"]
        print(f"  {check['check_id']} {check['check_name']}\n    {check['resource']} "
              f"({check['file_path']}:{lines[0]})", file=sys.stderr)
print(f"passed {totals['passed']}, failed {totals['failed']}, skipped {totals['skipped']}")
sys.exit(1 if totals["failed"] else 0)
PYEOF
)
  ckv_parse_rc=$?
  rm -f "$ckv_json"
  if [ "$ckv_rc" -eq 0 ] && [ "$ckv_parse_rc" -eq 0 ]; then
    ok "checkov: $ckv_summary"
  else
    bad "checkov: $ckv_summary (exit $ckv_rc)"
  fi
fi

# ------------------------------------------------------------------------------------------
hr "bot template: platform bot check (cfn-lint, size, current with definition.yaml)"
if [ ! -x "$ROOT/.venv/bin/platform" ]; then
  bad "bot template: $ROOT/.venv/bin/platform missing (run make install)"
elif bot_out=$("$ROOT/.venv/bin/platform" bot check 2>&1); then
  printf '%s\n' "$bot_out" >&2
  ok "bot template: $(printf '%s\n' "$bot_out" | tail -n 1 | sed 's/^[^a-z]*//')"
else
  printf '%s\n' "$bot_out" >&2
  bad "bot template: platform bot check failed (above)"
fi

# ------------------------------------------------------------------------------------------
step_end
printf '\n== summary\n'
printf '%s\n' "${SUMMARY[@]}"
printf '== time per step\n'
printf '%s\n' "${TIMES[@]}"
if [ "$FAILED" -ne 0 ]; then
  echo "tf_validate: FAILED"
  exit 1
fi
echo "tf_validate: all checks passed"
