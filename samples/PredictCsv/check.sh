#!/usr/bin/env bash
# Runs the PredictCsv sample (the command given, e.g. "dotnet samples/PredictCsv/bin/Release/net10.0/PredictCsv.dll"
# or the NativeAOT binary) on the committed rows of both sample models and compares what it prints with what
# models/make_models.py computed in float64: labels exactly, numbers within 1e-4 relative (+ 1e-6 absolute).
# Prints one line per model and exits non-zero on any difference.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
status=0
# Scratch files of this run alone: two checks at once (two CI jobs on one machine) would otherwise share them.
scratch="$(mktemp -d)" && trap 'rm -rf "$scratch"' EXIT || exit 1
for model in breast_cancer diabetes; do
  actual=$("$@" "$here/models/$model.safetensors" < "$here/models/$model.rows.csv") || { echo "sample: $model: exit code $?"; status=1; continue; }
  if diff <(echo "$actual") "$here/models/$model.expected.csv" >/dev/null \
     || awk -F, -v number='^-?[0-9.]+([eE][-+]?[0-9]+)?$' 'NR == FNR { want[FNR] = $0; n = FNR; next }
        { got[FNR] = $0; m = FNR }
        END {
          if (n != m) { print "  " m " lines, expected " n; exit 1 }
          for (i = 1; i <= n; i++) {
            a = split(got[i], g, ","); b = split(want[i], w, ",")
            if (a != b) { print "  line " i ": " got[i] " / expected " want[i]; exit 1 }
            for (j = 1; j <= a; j++) {
              # A number is compared as one only when both are written as numbers: awk reads "NaN" as NaN (mawk),
              # which no comparison fails, or as 0, and "∞" as 0, which a probability near 0 passed.
              if (w[j] ~ number && g[j] ~ number) {
                d = g[j] - w[j]; if (d < 0) d = -d; t = w[j] < 0 ? -w[j] : w[j]
                if (d > 1e-4 * t + 1e-6) { print "  line " i ", field " j ": " g[j] ", expected " w[j]; exit 1 }
              } else if (g[j] != w[j]) { print "  line " i ", field " j ": " g[j] ", expected " w[j]; exit 1 }
            }
          }
        }' "$here/models/$model.expected.csv" <(echo "$actual"); then
    echo "sample: $model: $(($(echo "$actual" | wc -l) - 1)) predictions as expected"
  else
    echo "sample: $model: predictions differ from models/$model.expected.csv"; status=1
  fi
done
# A path that is no model file (a folder, a missing file, an empty argument): one line on stderr, exit code 1 or 2, no crash.
for bad in "$here" "$here/models/none.safetensors" ""; do
  "$@" "$bad" < /dev/null > /dev/null 2> "$scratch/predictcsv.err"; code=$?
  if [ "$code" -eq 1 -o "$code" -eq 2 ] && [ "$(wc -l < "$scratch/predictcsv.err")" -eq 1 ]; then
    echo "sample: '$bad': $(cat "$scratch/predictcsv.err")"
  else
    echo "sample: '$bad': exit code $code, $(wc -l < "$scratch/predictcsv.err") lines on stderr (expected 1 or 2, one line)"; status=1
  fi
done
# --help (or -h): the usage on standard output, exit code 0, not a model file named '--help' that is not there.
for help in --help -h; do
  out=$("$@" "$help" 2> "$scratch/predictcsv.err" < /dev/null); code=$?
  if [ "$code" -eq 0 ] && [[ "$out" == usage:* ]] && [ ! -s "$scratch/predictcsv.err" ]; then
    echo "sample: '$help': $out"
  else
    echo "sample: '$help': exit code $code, stdout '$out', stderr '$(cat "$scratch/predictcsv.err")' (expected 0 and the usage)"; status=1
  fi
done
# A cell that is not a finite number ("NA", NaN, 1e39 beyond float), or one the file's standardization takes past float
# (3e38 in 'sex', σ 0.5), or rows without their header row: one line on stderr that names the line and column (or the
# row and feature), exit code 1, no prediction written (which a skipped row would shift by one), no stack trace.
header="age,sex,bmi,bp,s1,s2,s3,s4,s5,s6"
for case in "$header|59,2,NA,101.0,157,93.2,38.0,4.0,4.8598,87|line 2, column 3: 'NA'" \
            "$header|59,2,NaN,101.0,157,93.2,38.0,4.0,4.8598,87|line 2, column 3: 'NaN'" \
            "$header|59,2,1e39,101.0,157,93.2,38.0,4.0,4.8598,87|line 2, column 3: '1e39'" \
            "$header|59,3e38,32.1,101.0,157,93.2,38.0,4.0,4.8598,87|column 1 ('sex'), is 3E+38" \
            "59,2,32.1,101.0,157,93.2,38.0,4.0,4.8598,87|48,1,21.6,87.0,183,103.2,70.0,3.0,3.8918,69|the header row of column names is missing"; do
  IFS='|' read -r first second want <<< "$case"
  printf '%s\n%s\n48,1,21.6,87.0,183,103.2,70.0,3.0,3.8918,69\n' "$first" "$second" \
    | "$@" "$here/models/diabetes.safetensors" > "$scratch/predictcsv.out" 2> "$scratch/predictcsv.err"; code=$?
  if [ "$code" -eq 1 ] && [ "$(wc -l < "$scratch/predictcsv.err")" -eq 1 ] && grep -qF "$want" "$scratch/predictcsv.err" \
     && [ ! -s "$scratch/predictcsv.out" ]; then
    echo "sample: '$second': $(cat "$scratch/predictcsv.err")"
  else
    echo "sample: '$second': exit code $code, stderr '$(cat "$scratch/predictcsv.err")' (expected 1, one line with \"$want\", no output)"; status=1
  fi
done
# The rows as other programs write them: the committed predictions from each. A UTF-8 byte-order mark, as spreadsheets
# write one; every field quoted, as R's write.csv quotes names; semicolons between quoted numbers, as a spreadsheet in a
# language with a decimal comma writes them; the columns in another order, with an id first and the target kept.
rows="$here/models/diabetes.rows.csv"
expected=$("$@" "$here/models/diabetes.safetensors" < "$rows")
for variant in "byte-order mark" "quoted fields" "semicolons" "other column order"; do
  case "$variant" in
    byte*) input=$(printf '\xef\xbb\xbf'; cat "$rows") ;;
    quoted*) input=$(sed 's/[^,]*/"&"/g' "$rows") ;;
    semicolons) input=$(sed 's/[^,]*/"&"/g; s/,/;/g' "$rows") ;;
    other*) input=$(awk -F, -v OFS=, '{ print (NR == 1 ? "id" : NR), $2, $1, $3, $4, $5, $6, $7, $8, $9, $10, (NR == 1 ? "target" : 0) }' "$rows") ;;
  esac
  actual=$(printf '%s\n' "$input" | "$@" "$here/models/diabetes.safetensors" 2>&1)
  if [ "$actual" = "$expected" ]; then
    echo "sample: $variant: the committed predictions"
  else
    echo "sample: $variant: '$actual'"; status=1
  fi
done
# A class label holding a comma (the breast-cancer model's "malignant" renamed "mali,nant" in a copy, as a quoted CSV
# class column can name it): quoted in the output, so that its lines keep their fields.
labelled="$scratch/predictcsv-labels.safetensors"
perl -0777 -pe 's/\\"malignant\\"/\\"mali,nant\\"/' "$here/models/breast_cancer.safetensors" > "$labelled"
actual=$("$@" "$labelled" < "$here/models/breast_cancer.rows.csv" 2>&1 | head -2)
if [ "${actual%%$'\n'*}" = 'prediction,"p(mali,nant)",p(benign)' ] && [[ "${actual#*$'\n'}" == '"mali,nant",'* ]]; then
  echo "sample: a label with a comma: quoted"
else
  echo "sample: a label with a comma: '$actual'"; status=1
fi
rm -f "$scratch/predictcsv.err" "$scratch/predictcsv.out" "$labelled"
exit $status
