#!/usr/bin/env bash
# tf_validate.sh — `make validate`: every offline check of the Terraform, from the repo root.
#
#   1. terraform fmt -check -recursive        (terraform/, and scalr/ when it exists)
#   2. terraform validate in every stack of terraform/stacks (init -backend=false in each), which validates
#      every module the stack calls; on its own (its own init) only a module of terraform/modules no stack
#      calls, found from the stacks' `source = "../../modules/<name>"` lines (each folder gets a "valid" line,
#      a covered module's naming its stacks)
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
# Environment: TF_VALIDATE_STEPS (the steps to run, space- or comma-separated among fmt, validate, tfcheck,
#              checkov, bot; default all: the others are listed as skipped), TF_VALIDATE_JOBS (parallel
#              validate jobs, default 4), CHECKOV_VERSION (pip spec),
#              CAMPUSBOT_SHARED_TOOLS (folder of terraform-env and tfcheck, default ../shared/tools).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SHARED=${CAMPUSBOT_SHARED_TOOLS:-$(cd "$ROOT/.." && pwd)/shared/tools}
PY=$ROOT/.venv/bin/python
CHECKOV_SPEC=${CHECKOV_VERSION:-checkov==3.3.30}  # pinned: a new release may add checks; raise it on purpose
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

STEPS=" $(printf '%s' "${TF_VALIDATE_STEPS:-fmt validate tfcheck checkov bot}" | tr ',' ' ') "
for step in $STEPS; do
  case $step in
    fmt | validate | tfcheck | checkov | bot) ;;
    *) echo "TF_VALIDATE_STEPS: unknown step '$step' (fmt, validate, tfcheck, checkov, bot)" >&2; exit 2 ;;
  esac
done
want() { [ "${STEPS#* "$1" }" != "$STEPS" ]; }

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
if ! want fmt; then
  skip "fmt (not in TF_VALIDATE_STEPS)"
else
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
fi

# ------------------------------------------------------------------------------------------
hr "validate: terraform init -backend=false + validate (each stack with the modules it calls; uncalled modules alone)"
if ! want validate; then
  skip "terraform validate (not in TF_VALIDATE_STEPS)"
elif command -v terraform >/dev/null 2>&1; then
  tf_use_local_mirror
  mapfile -t STACKS < <(find terraform/stacks -mindepth 1 -maxdepth 1 -type d | sort)
  mapfile -t MODULES < <(find terraform/modules -mindepth 1 -maxdepth 1 -type d | sort)
  # `terraform validate` in a stack validates every module the stack calls (child modules are part of the
  # configuration it loads), and each validate costs about 3.8 s of CPU whatever the folder (the aws provider
  # producing its schema). So only the stacks are validated, and on its own only a module no stack calls
  # (directly or through another module): COVERED[module] = the stacks that validate it, from their local
  # `source = "../../modules/<name>"` lines, followed transitively.
  module_calls() {
    local dir=$1 src
    sed -nE 's/^[[:space:]]*source[[:space:]]*=[[:space:]]*"(\.\.?\/[^"]*)".*/\1/p' "$dir"/*.tf 2>/dev/null \
      | while IFS= read -r src; do realpath -m --relative-to="$ROOT" "$dir/$src"; done | sort -u
  }
  declare -A COVERED=()
  for s in "${STACKS[@]}"; do
    declare -A seen=()
    queue=("$s")
    while [ "${#queue[@]}" -gt 0 ]; do
      cur=${queue[0]}
      queue=("${queue[@]:1}")
      while IFS= read -r m; do
        [ -n "$m" ] && [ -z "${seen[$m]:-}" ] || continue
        seen[$m]=1
        case $m in terraform/modules/*) COVERED[$m]="${COVERED[$m]:+${COVERED[$m]}, }${s#terraform/}" ;; esac
        [ -d "$m" ] && queue+=("$m")
      done < <(module_calls "$cur")
    done
    unset seen
    calls=$(module_calls "$s" | sed -n 's#^terraform/modules/##p' | paste -sd' ' -)
    echo "$s validates the modules it calls: ${calls:-(none)}" >&2
  done
  TF_DIRS=("${STACKS[@]}")
  ALONE=()
  for m in "${MODULES[@]}"; do
    [ -n "${COVERED[$m]:-}" ] || ALONE+=("$m")
  done
  TF_DIRS+=("${ALONE[@]}")
  echo "modules no stack calls, validated alone: ${ALONE[*]:-(none)}" >&2
  LOGS=$(mktemp -d)
  # validate_dir <dir> <log> [initialized]: init -backend=false (unless already done) and validate, into <log>.
  validate_dir() {
    local dir=$1 log=$2
    {
      echo "--- $dir"
      if [ -z "${3:-}" ]; then
        terraform -chdir="$dir" init -backend=false -input=false -no-color >/dev/null 2>"$log.init" \
          || { cat "$log.init"; echo "init failed"; return 1; }
      fi
      terraform -chdir="$dir" validate -no-color || return 1
    } >"$log" 2>&1
  }
  # Warm the plugin cache with one init first (the first folder's, which then validates without another):
  # parallel inits into an empty cache race. Then give every folder without a lock file the warm one's (they are
  # git-ignored): with no lock file, Terraform re-installs from the mirror into the shared cache on each init, and
  # parallel installs there race (seen in CI: one folder in 22 failed to init). With a lock file that matches the
  # cache, init only links the cached provider.
  warm=""
  terraform -chdir="${TF_DIRS[0]}" init -backend=false -input=false -no-color >/dev/null 2>&1 && warm=1
  if [ -f "${TF_DIRS[0]}/.terraform.lock.hcl" ]; then
    for d in "${TF_DIRS[@]:1}"; do
      [ -f "$d/.terraform.lock.hcl" ] || cp "${TF_DIRS[0]}/.terraform.lock.hcl" "$d/.terraform.lock.hcl"
    done
  fi
  i=0
  for d in "${TF_DIRS[@]}"; do
    if [ "$i" -eq 0 ]; then
      validate_dir "$d" "$LOGS/$i" "$warm" &
    else
      validate_dir "$d" "$LOGS/$i" &
    fi
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
  declare -A DIR_LOG=()
  i=0
  for d in "${TF_DIRS[@]}"; do
    DIR_LOG[$d]=$LOGS/$i
    if grep -q "Success! The configuration is valid" "$LOGS/$i" 2>/dev/null; then
      echo "valid  $d" >&2
    else
      vfail=$((vfail + 1))
      cat "$LOGS/$i" >&2
    fi
    i=$((i + 1))
  done
  # A module validated through its stacks is valid when they all are. When one is not, the module is named
  # invalid if that stack's errors point into it ("on ../../modules/<name>/main.tf line …"); otherwise it is said
  # not shown valid (the stack's own errors, above, are the failure).
  covered=0
  for m in "${MODULES[@]}"; do
    [ -n "${COVERED[$m]:-}" ] || continue
    covered=$((covered + 1))
    failing="" named=""
    IFS=, read -ra callers <<<"${COVERED[$m]}"
    for c in "${callers[@]}"; do
      c=terraform/${c# }
      if ! grep -q "Success! The configuration is valid" "${DIR_LOG[$c]}" 2>/dev/null; then
        failing="${failing:+$failing, }${c#terraform/}"
        grep -q "modules/${m#terraform/modules/}/" "${DIR_LOG[$c]}" 2>/dev/null && named=1
      fi
    done
    if [ -z "$failing" ]; then
      echo "valid  $m (in ${COVERED[$m]})" >&2
    elif [ -n "$named" ]; then
      vfail=$((vfail + 1))
      echo "INVALID  $m (in $failing: its errors above)" >&2
    else
      echo "not shown valid  $m ($failing invalid)" >&2
    fi
  done
  rm -rf "$LOGS"
  total=$((${#TF_DIRS[@]} + covered))
  if [ "$vfail" -eq 0 ]; then
    ok "terraform validate: $total folders valid (${#STACKS[@]} stacks, $covered modules in them, ${#ALONE[@]} modules alone)"
  else
    bad "terraform validate: $vfail of $total folders invalid"
  fi
else
  echo "terraform is not installed: init/validate skipped (tfcheck below still checks the schema offline)" >&2
  skip "terraform validate (no terraform binary)"
fi

# ------------------------------------------------------------------------------------------
hr "tfcheck: tfcheck ${SCAN_DIRS[*]}"
if ! want tfcheck; then
  skip "tfcheck (not in TF_VALIDATE_STEPS)"
else
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
fi

# ------------------------------------------------------------------------------------------
hr "checkov: checkov -d terraform"
if ! want checkov; then
  skip "checkov (not in TF_VALIDATE_STEPS)"
else
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
fi

# ------------------------------------------------------------------------------------------
hr "bot template: platform bot check (cfn-lint, size, current with definition.yaml)"
if ! want bot; then
  skip "bot template (not in TF_VALIDATE_STEPS)"
else
  if [ ! -x "$ROOT/.venv/bin/platform" ]; then
    bad "bot template: $ROOT/.venv/bin/platform missing (run make install)"
  elif bot_out=$("$ROOT/.venv/bin/platform" bot check 2>&1); then
    printf '%s\n' "$bot_out" >&2
    ok "bot template: $(printf '%s\n' "$bot_out" | tail -n 1 | sed 's/^[^a-z]*//')"
  else
    printf '%s\n' "$bot_out" >&2
    bad "bot template: platform bot check failed (above)"
  fi
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
