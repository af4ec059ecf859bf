#!/usr/bin/env bash
# Runs every `curl` line of README.md's section "Drop-in APIs: OpenAI
# moderation and Perspective" (in its ```sh blocks; `\` continues a line)
# against a real `vigil serve`, in the README's order, with $VIGIL set to
# the server's HTTP address and $TOKEN to an admin token. Each command must
# be followed by a `# → STATUS {sample answer}` line: the answer must have
# that status, be JSON, and have every field name the sample shows.
#   readme_curl_test.sh VIGIL_BINARY SOURCE_DIR
set -euo pipefail
export LC_ALL=C.UTF-8  # names cut by character, not byte
vigil=$1
root=$2
readme="$root/README.md"
section='## Drop-in APIs: OpenAI moderation and Perspective'

for tool in curl /usr/bin/python3; do
  if ! command -v "$tool" >/dev/null; then
    if [[ "${VIGIL_REQUIRE_SHARED:-}" == 1 ]]; then
      echo "FAIL: $tool is missing (VIGIL_REQUIRE_SHARED=1: required)"
      exit 1
    fi
    echo "SKIP: $tool is missing"
    exit 77
  fi
done

work=$(mktemp -d)
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The examples, one record each: command, expected status, sample answer,
# separated by a unit separator (\037); records end with \036.
awk -v section="$section" '
  $0 == section { in_section = 1; next }
  in_section && /^## / { in_section = 0 }
  !in_section { next }
  /^```sh$/ { in_sh = 1; next }
  /^```/ { in_sh = 0; next }
  !in_sh { next }
  cont { cmd = cmd " " $0; cont = sub(/ *\\$/, "", cmd); next }
  /^curl / {
    if (cmd != "") { printf "%s\037\037\036", cmd }
    cmd = $0; cont = sub(/ *\\$/, "", cmd); next
  }
  /^# → / {
    if (cmd == "") { next }
    line = substr($0, length("# → ") + 1)
    status = line; sub(/ .*/, "", status)
    sample = line; sub(/^[0-9]+ */, "", sample)
    printf "%s\037%s\037%s\036", cmd, status, sample
    cmd = ""
  }
  END { if (cmd != "") printf "%s\037\037\036", cmd }
' "$readme" >"$work/examples"

# The server, with a tokens file holding the admin token.
"$vigil" token --role admin --name readme >"$work/token.out"
TOKEN=$(sed -n 's/^token: //p' "$work/token.out")
tail -n 1 "$work/token.out" >"$work/tokens"
"$vigil" serve --listen 127.0.0.1:0 --http-listen 127.0.0.1:0 \
  --metrics-listen 127.0.0.1:0 --lexicons "$root/lexicons" \
  --store "sqlite:$work/vigil.db" --tokens "$work/tokens" 2>"$work/log" &
pid=$!
http_port=""
for _ in $(seq 200); do
  http_port=$(grep -o 'http_port=[0-9]*' "$work/log" | cut -d= -f2 || true)
  [[ -n "$http_port" ]] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[[ -n "$http_port" ]] || { echo "server did not start:"; cat "$work/log"; exit 1; }
export VIGIL="http://127.0.0.1:$http_port" TOKEN
export BODY="$work/body"

passed=0
failed=0
openai=0
perspective=0
fail() {
  echo "FAIL $1"
  echo "     command: $2"
  [[ -f "$BODY" ]] && echo "     answer:  $(head -c 600 "$BODY")"
  failed=$((failed + 1))
}
while IFS=$'\037' read -r -d $'\036' cmd status sample; do
  rm -f "$BODY"
  # A short name: the URL and the start of the body.
  url=$(grep -o '"\$VIGIL[^"]*"' <<<"$cmd" || true)
  data=$(grep -o " -d '[^']*'" <<<"$cmd" || true)
  name="$url ${data:4:60}"
  if [[ "$cmd" != *'$VIGIL'* ]]; then
    fail "the command does not use \$VIGIL" "$cmd"
    continue
  fi
  if [[ -z "$status" ]]; then
    fail "no '# → STATUS' line after the command" "$cmd"
    continue
  fi
  # The README's command, writing the answer to $BODY and printing status
  # and content type.
  run="curl -o \"\$BODY\" -w '%{http_code} %{content_type}' --max-time 20 ${cmd#curl }"
  if ! got=$(bash -c "$run"); then
    fail "curl failed" "$cmd"
    continue
  fi
  read -r got_status got_type <<<"$got"
  if [[ "$got_status" != "$status" ]]; then
    fail "status $got_status, the README says $status" "$cmd"
    continue
  fi
  if [[ "$got_type" != application/json* ]]; then
    fail "content type '$got_type', not JSON" "$cmd"
    continue
  fi
  # The answer parses as JSON and has every field name the sample shows.
  if ! missing=$(SAMPLE="$sample" /usr/bin/python3 -c '
import json, os, re, sys
answer = json.load(open(os.environ["BODY"], encoding="utf-8"))
keys = set()
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            keys.add(k)
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
walk(answer)
shown = re.findall(r"\"([^\"]+)\":", os.environ["SAMPLE"])
print(" ".join(k for k in shown if k not in keys))
' 2>&1); then
    fail "the answer is not JSON: $missing" "$cmd"
    continue
  fi
  if [[ -n "$missing" ]]; then
    fail "fields of the README's sample missing from the answer: $missing" "$cmd"
    continue
  fi
  echo "ok   $status $name"
  passed=$((passed + 1))
  case "$cmd" in
    *'$VIGIL/v1/moderations'*) openai=$((openai + 1)) ;;
    *'$VIGIL/v1alpha1/comments:analyze'*) perspective=$((perspective + 1)) ;;
  esac
done <"$work/examples"

# The section has examples of both APIs: an extraction that finds none
# must not pass.
if ((openai < 2 || perspective < 2)); then
  echo "FAIL README.md's section '$section': $openai passing OpenAI and" \
    "$perspective passing Perspective curl examples; 2 of each expected"
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
((failed == 0))
