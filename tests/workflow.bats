#!/usr/bin/env bats
# .github/workflows/ci.yml: the workflow a lecturer's repository runs. It cannot run here;
# what can be checked here is that it is valid (against the workflow schema, with
# action-validator from npm, which .ci/run installs) and that it runs what README promises.

load test_helper

WORKFLOW="$TOP_DIR/.github/workflows/ci.yml"

validator_or_skip() {
  VALIDATOR=${XDG_CACHE_HOME:-$HOME/.cache}/asynclab/action-validator/node_modules/.bin/action-validator
  [ -x "$VALIDATOR" ] || VALIDATOR=$(command -v action-validator) ||
    skip "no action-validator here (.ci/run installs it from npm)"
}

@test "workflow: ci.yml validates against the workflow schema; a broken copy does not" {
  validator_or_skip
  cd "$TOP_DIR"
  run "$VALIDATOR" .github/workflows/ci.yml
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  sed 's/^    runs-on: macos-latest/    runs-onn: macos-latest/' "$WORKFLOW" >"$BATS_TEST_TMPDIR/ci.yml"
  run "$VALIDATOR" "$BATS_TEST_TMPDIR/ci.yml"
  [ "$status" -ne 0 ]
  [[ "$output" == *"runs-onn"* ]]
}

@test "workflow: Linux runs .ci/run; macOS installs the GNU tools and runs one command a step" {
  grep -qx '    runs-on: ubuntu-latest' "$WORKFLOW"
  grep -q '^        run: .*bash \.ci/run$' "$WORKFLOW"
  grep -qx '    runs-on: macos-latest' "$WORKFLOW"
  grep -qx '          brew install bats-core parallel bash coreutils gnu-sed make' "$WORKFLOW"
  grep -q 'libexec/gnubin' "$WORKFLOW"
  local step
  for step in 'make WERROR=1' 'make test' 'make run-03' 'make run-09 ARGS="--poller kqueue -c 5000"'; do
    grep -qxF "        run: $step" "$WORKFLOW" || { echo "no step: $step"; return 1; }
  done
}
