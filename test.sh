#!/usr/bin/env bash
# Runs every test of the solution and ends with one line: "N passed, N failed, N skipped".
# The tests start what they need themselves (SQLite files, loopback listeners); this script only makes sure
# the machine has the few programs they call and that packages are restored.
set -uo pipefail
cd "$(dirname "$0")"

# The TRX files stay for CI and people to read after the run (one per test project); earlier runs' are removed first.
results="${MATCHMAKER_TEST_RESULTS:-$PWD/TestResults}"
rm -rf "$results" && mkdir -p "$results"

for setup in scripts/setup/*.sh; do
  [ -e "$setup" ] || continue
  # A failed set-up step is reported as what it is; the last line counts it as the one failure (no test ran).
  bash "$setup" || { echo "setup step $setup failed: no test ran" >&2; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
done

dotnet restore Matchmaker.sln --verbosity quiet || { echo "restore failed: no test ran" >&2; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
dotnet build Matchmaker.sln --no-restore --configuration Release --verbosity quiet -nologo || { echo "build failed: no test ran" >&2; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
dotnet test Matchmaker.sln --no-build --configuration Release --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
  --blame-hang-timeout 10min --blame-hang-dump-type none "$@"
status=$?

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  # Skipped tests are counted in total but not executed (the notExecuted counter stays 0 for them).
  skipped=$((skipped + $(get total) - $(get executed)))
done

projects=$(find tests -name '*.Tests.csproj' | wc -l)
# A crashed test host leaves no results file: count it as a failure rather than report fewer tests.
if [ "$files" -lt "$projects" ]; then failed=$((failed + projects - files)); fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

# The console log above is long; the failed tests are named again here with the first lines of their messages,
# so the end of the output says what broke (perl is part of every Debian base system).
if [ "$failed" -gt 0 ]; then
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    perl -0777 -ne 'while (/<UnitTestResult [^>]*?testName="([^"]*)"[^>]*?outcome="(?:Failed|Error|Timeout|Aborted)"[^>]*>(.*?)<\/UnitTestResult>/gs) {
        my ($name, $body) = ($1, $2); my ($msg) = $body =~ /<Message>(.*?)<\/Message>/s; $msg //= "";
        $msg =~ s/&lt;/</g; $msg =~ s/&gt;/>/g; $msg =~ s/&quot;/"/g; $msg =~ s/&#xD;//g; $msg =~ s/&amp;/&/g;
        my @lines = grep { /\S/ } split /\n/, $msg; my $text = join("\n    ", @lines[0 .. ($#lines < 7 ? $#lines : 7)]);
        print "FAILED $name\n    $text\n"; }' "$trx"
  done
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
